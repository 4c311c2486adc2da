"""Precision and recall of the whole lint on a realistic tree with a known answer key.

The tree (tests/lint/realistic.py) is the bundled example system with 19 planted debts across
CM101-CM401 (23 expected findings: a typo'd key is both CM302 and CM101) and 7 near-misses
that must stay silent (6 marked lines and one ``# confman: noqa`` line). Every finding the
lint reports is compared with the key by ``(code, file, line)``: a finding not in the key is a
false positive, a key entry not found is a false negative. The numbers are stated in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import pytest
from realistic import answer_key, build, near_misses

from confman.lint import lint
from confman.settings import load_settings


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    root = build(tmp_path_factory.mktemp("realistic"))
    found = {(d.code, d.file, d.line) for d in lint(load_settings(cwd=root)).diagnostics}
    return root, answer_key(root), found


def test_answer_key_covers_every_rule_family(measured):
    _, key, _ = measured
    assert len(key) == 23
    assert {c for c, _, _ in key} == {
        "CM101", "CM103", "CM201", "CM202", "CM203", "CM204", "CM301", "CM302", "CM401"
    }  # fmt: skip


def test_precision_and_recall(measured):
    _, key, found = measured
    true_pos = key & found
    precision = len(true_pos) / len(found)
    recall = len(true_pos) / len(key)
    detail = f"false positives: {sorted(found - key)}; missed: {sorted(key - found)}"
    assert (precision, recall) == (1.0, 1.0), detail


def test_near_misses_stay_silent(measured):
    root, _, found = measured
    quiet = near_misses(root)
    assert len(quiet) == 6
    assert {(f, n) for _, f, n in found} & quiet == set()
