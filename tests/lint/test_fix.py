"""``confman.lint.fix``: edits are proven with plain ``hydra.compose`` on every reachable
composition, in a copy of the config dir, before any user file is written."""

from __future__ import annotations

import shutil

from confman.lint.fix import Edit, _prove, _Workspace, fix
from confman.lint.judge import compose_all
from confman.lint.reachable import reachable
from confman.settings import load_settings

NESTED = {
    "conf/experiment/owt/small.yaml": """
        # @package _global_
        model:
          hidden: 32
        seed: 0
        """,
}


def test_an_edit_changing_only_a_nested_experiment_is_refused(system, tmp_path):
    root = system(NESTED)
    copy = tmp_path / "copy"
    shutil.copytree(root / "conf", copy)
    ws = _Workspace(copy, None)
    show = {rel: rel for rel in ws.original}
    edit = Edit("experiment/owt/small.yaml", 3, "CM202")
    accepted, refused = _prove(ws, [edit], show, compose_all(copy, None, ws.runs))
    assert accepted == []
    assert refused == [
        "experiment/owt/small.yaml:3: CM202 fix refused: "
        "composition 'train experiment=owt/small' would change"
    ]
    # the copy is back as it was; the user's tree was never touched
    assert (copy / "experiment/owt/small.yaml").read_text() == ws.original[edit.rel]


def test_a_proven_edit_is_kept_and_others_still_judged(system, tmp_path):
    root = system(NESTED)
    copy = tmp_path / "copy"
    shutil.copytree(root / "conf", copy)
    ws = _Workspace(copy, None)
    show = {rel: rel for rel in ws.original}
    # seed: 0 restates train.yaml's seed; hidden: 32 is a real change
    edits = [
        Edit("experiment/owt/small.yaml", 3, "CM202"),
        Edit("experiment/owt/small.yaml", 4, "CM202"),
    ]
    accepted, refused = _prove(ws, edits, show, compose_all(copy, None, ws.runs))
    assert accepted == [edits[1]]
    assert len(refused) == 1 and ":3: CM202 fix refused" in refused[0]
    before = compose_all(root / "conf", None, reachable(root / "conf"))
    assert compose_all(copy, None, reachable(copy)) == before


def test_fix_leaves_every_reachable_composition_as_hydra_composes_it(system):
    root = system(
        {
            **NESTED,
            "conf/experiment/owt/small.yaml": NESTED["conf/experiment/owt/small.yaml"].replace(
                "hidden: 32", "hidden: 64"
            ),
        }
    )
    conf = root / "conf"
    before = compose_all(conf, None, reachable(conf))
    outcome = fix(load_settings(cwd=root))
    assert outcome.changed
    assert compose_all(conf, None, reachable(conf)) == before


def test_diff_only_writes_nothing(system):
    root = system(
        {"conf/experiment/big.yaml": "# @package _global_\nseed: 0\nmodel:\n  hidden: 8\n"}
    )
    text = (root / "conf/experiment/big.yaml").read_text()
    outcome = fix(load_settings(cwd=root), write=False)
    assert (root / "conf/experiment/big.yaml").read_text() == text
    assert "".join(outcome.diff()).count("-seed: 0\n") == 1


def test_compositions_only_lint_makes_are_judged_too(system, tmp_path):
    """An option swapped in place (``data=wine``) is a composition a user can run: an edit to
    a file only it loads is judged on it."""
    from confman.lint import lint

    root = system()
    shutil.copytree(root / "conf", tmp_path / "copy")
    ws = _Workspace(tmp_path / "copy", None)
    ws.learn(lint(load_settings(cwd=root)))
    wine = [run for run in ws.runs if run.label == "train data=wine"]
    assert wine and "data/wine.yaml" in (ws.loads["train data=wine"] or set())
    edit = Edit("data/wine.yaml", 1, "CM202")
    assert wine[0] in ws.affected([edit])


def test_the_diff_never_shows_a_secret_in_clear(system):
    root = system(
        {
            "conf/experiment/big.yaml": "# @package _global_\nseed: 0\n"
            "db_password: hunter2-not-for-logs\nmodel:\n  hidden: 8\n"
        }
    )
    shown = "".join(fix(load_settings(cwd=root), write=False).diff())
    assert "-seed: 0\n" in shown  # the fix itself is shown
    assert "hunter2-not-for-logs" not in shown and "db_password: <secret" in shown
