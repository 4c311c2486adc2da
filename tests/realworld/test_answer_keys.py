"""Lint on trees we did not write: every finding on the real-world corpus is judged in an answer
key, and each rule holds its precision and recall targets over the whole corpus.

The keys (``keys/<tree>/<CODE>.yaml``) were written by reading each tree's code and composing it
with plain Hydra: each entry says whether a finding is a debt that project's maintainers would
accept, and why; entries lint does not report are debts it misses (they count against recall).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpus import answer_key, available, lint_tree, score, totals, trees

PRECISION = 0.95
RECALL = 0.8

if not available():
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but ../shared/realworld is missing", pytrace=False)
    pytest.skip(
        "the real-world corpus (../shared/realworld) is not beside the checkout",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    out = {}
    for t in trees():
        found = lint_tree(t, tmp_path_factory.mktemp(t.name.replace("__", "-")))
        out[t.name] = score(found, answer_key(t.name))
    return out


def test_every_finding_is_judged(measured: dict[str, tuple]) -> None:
    unjudged = [
        f"{name}: {d.code} {d.file}:{d.line} {d.message}"
        for name, (_, left, _) in measured.items()
        for d in left
    ]
    assert not unjudged, "findings no answer key judges:\n" + "\n".join(unjudged[:40])


def test_each_rule_meets_its_targets_over_the_corpus(measured: dict[str, tuple]) -> None:
    total = totals([scores for scores, _, _ in measured.values()])
    below = {
        code: f"precision {s.precision:.2f} ({s.true}/{s.true + s.false}), "
        f"recall {s.recall:.2f} ({s.true}/{s.true + s.missed})"
        for code, s in sorted(total.items())
        if s.precision < PRECISION or s.recall < RECALL
    }
    assert not below, below


def test_keys_name_files_that_exist() -> None:
    """A key entry for a file the tree does not have is a typo that would never match."""
    wrong = [
        f"{t.name}: {j.code} {j.file}"
        for t in trees()
        for j in answer_key(t.name)
        if not (t.path / j.file).exists() and j.file not in ("pyproject.toml",)
    ]
    assert not wrong, wrong


def test_keys_give_a_reason_for_every_verdict() -> None:
    bare = [
        f"{t.name}: {j.code} {j.file}:{j.line}"
        for t in trees()
        for j in answer_key(t.name)
        if len(j.why.strip()) < 8
    ]
    assert not bare, bare


def test_corpus_is_the_one_beside_the_checkout() -> None:
    assert Path(trees()[0].path).is_dir() and len(trees()) >= 12
