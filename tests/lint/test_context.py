"""How the context reads the tree: each YAML file's text comes with its parse, as read_text gives
it, and unreadable files are said to be so."""

from __future__ import annotations

from pathlib import Path

from linttree import CLEAN, write_tree

from confman.lint.context import build_context
from confman.settings import load_settings


def test_lines_as_read_text_gives_them(tmp_path: Path) -> None:
    root = write_tree(tmp_path, CLEAN)
    conf = root / "conf"
    (conf / "data" / "bom.yaml").write_bytes(b"\xef\xbb\xbfname: bom\r\nnum_classes: 2\r\n")
    ctx = build_context(load_settings(cwd=root), background=False)
    for rel, yf in ctx.files.items():
        assert yf.lines == (conf / rel).read_text(encoding="utf-8").splitlines(), rel
    assert ctx.files["data/bom.yaml"].lines[0].startswith("\ufeff")
    assert ctx.files["data/bom.yaml"].parsed.data == {"name": "bom", "num_classes": 2}


def test_unreadable_and_broken_files(tmp_path: Path) -> None:
    root = write_tree(tmp_path, CLEAN)
    conf = root / "conf"
    (conf / "data" / "latin.yaml").write_bytes(b"name: caf\xe9\n")
    (conf / "data" / "broken.yaml").write_text("name: [unclosed\n")
    ctx = build_context(load_settings(cwd=root), background=False)
    problems = {(p.file, p.message.split(":")[0]) for p in ctx.problems}
    assert ("conf/data/latin.yaml", "cannot read") in problems
    assert "data/latin.yaml" not in ctx.files  # left out, as an unreadable file
    assert ctx.files["data/broken.yaml"].parsed is None
    assert ctx.files["data/broken.yaml"].lines == ["name: [unclosed"]
    assert any(p.file == "conf/data/broken.yaml" and p.line == 2 for p in ctx.problems)
