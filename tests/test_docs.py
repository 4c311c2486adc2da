"""The generated reference pages (docs/rules/, docs/cli.md) say what the code says, today."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confman.cli import app
from confman.docs import HELP_WIDTH, pages
from confman.lint.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REGENERATE = "stale: run `python -m confman.docs` and commit docs/"


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return pages()


def test_every_generated_page_is_committed_as_generated(generated: dict[str, str]) -> None:
    for path, text in generated.items():
        assert (DOCS / path).is_file(), f"docs/{path} is missing; {REGENERATE}"
        assert (DOCS / path).read_text(encoding="utf-8") == text, f"docs/{path} is {REGENERATE}"


def test_no_page_for_a_rule_that_is_gone(generated: dict[str, str]) -> None:
    committed = {f"rules/{p.name}" for p in (DOCS / "rules").glob("*.md")}
    assert committed - set(generated) == set(), REGENERATE


def test_one_page_per_rule_linked_from_the_index(generated: dict[str, str]) -> None:
    index = generated["rules/README.md"]
    for code, module in RULES.items():
        page = f"{code}-{module.NAME}.md"
        assert f"rules/{page}" in generated
        assert f"]({page})" in index


def _words(text: str) -> list[str]:
    """The words of a text with Markdown/reST markup (fences, headings, roles, backticks) out."""
    text = re.sub(r"^```(text)?$|^## |:\w+:(?=`)", "", text, flags=re.M)
    return re.sub(r"[`:]", "", text).split()


@pytest.mark.parametrize("code", list(RULES))
def test_rule_page_holds_what_confman_rule_prints(code: str, generated: dict[str, str]) -> None:
    module = RULES[code]
    printed = CliRunner().invoke(app, ["rule", code])
    assert printed.exit_code == 0, printed.output
    page = generated[f"rules/{code}-{module.NAME}.md"]
    assert f"Default level: **{module.LEVEL}**" in page
    sections = printed.stdout[printed.stdout.index("\nWhat it does:") :]
    assert _words(page[page.index("\n## What it does") :]) == _words(sections)


def _help_blocks(reference: str) -> dict[str, str]:
    found = re.findall(r"^## `(confman[^`]*)`\n\n```text\n(.*?)\n```$", reference, re.M | re.S)
    return dict(found)


def test_cli_reference_is_what_help_prints(generated: dict[str, str]) -> None:
    blocks = _help_blocks(generated["cli.md"])
    assert {"confman", "confman compose", "confman lint", "confman runs list"} <= set(blocks)
    for path, shown in blocks.items():
        args = [*path.split()[1:], "--help"]
        result = CliRunner().invoke(app, args, prog_name="confman", terminal_width=HELP_WIDTH)
        assert result.exit_code == 0, result.output
        assert result.stdout.rstrip() == shown, path


def test_check_names_a_stale_page_and_writes_nothing(tmp_path: Path) -> None:
    shutil.copytree(DOCS, tmp_path / "docs")
    page = tmp_path / "docs/rules/CM201-duplicate-key.md"
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    (tmp_path / "docs/rules/CM999-gone.md").write_text("# CM999\n", encoding="utf-8")
    check = [sys.executable, "-m", "confman.docs", "--check"]
    proc = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "docs/rules/CM201-duplicate-key.md is out of date: run `python -m confman.docs`",
        "docs/rules/CM999-gone.md is out of date: run `python -m confman.docs`",
    ]
    assert page.read_text(encoding="utf-8").endswith("hand edit\n")

    regenerate = [sys.executable, "-m", "confman.docs"]
    subprocess.run(regenerate, cwd=tmp_path, capture_output=True, check=True)
    assert not (tmp_path / "docs/rules/CM999-gone.md").exists()
    again = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (again.returncode, again.stderr) == (0, "")


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_link_between_pages_resolves(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name}: link to missing {target}"
        if anchor:
            assert anchor in _anchors(linked), f"{page.name}: no heading for {target}"


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    seen, todo = set(), [ROOT / "README.md"]
    while todo:
        page = todo.pop()
        if page in seen or page.suffix != ".md":
            continue
        seen.add(page)
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            linked = (page.parent / target).resolve()
            if linked.is_file() and DOCS in linked.parents:
                todo.append(linked)
    assert set(DOCS.rglob("*.md")) - seen == set()


def test_readme_stays_short() -> None:
    """The README is the door (what, the two commands, the tour, a line per feature); detail
    belongs in docs/."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, "move detail into a docs/ page and link it from one README line"
