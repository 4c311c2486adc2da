"""CM302 unknown-key: a file writing into another package sets a key nothing else defines.

What it does:
    Finds every option file that writes outside its own group: experiments and other options
    with ``# @package _global_``, or ``# @package <node>`` into another group's node. In each
    composition that uses such a file (every primary, every ``experiment=<option>``, and, for
    a packaged option no composition selects, the primary with ``group=option``), it flags
    leaves written only by that file: keys the primary and the other options do not have.
    Hydra merges them without complaint, so a typo (``optimizer.lrr``) silently adds a key and
    leaves the real one untouched. The message suggests the closest existing key. A file that
    adds a whole new section (no sibling defined elsewhere) owns it and is not flagged.

Why it matters:
    The experiment claims to change the learning rate; the run used the default.

Example:
    # experiment/fast.yaml           # trainer/ci.yaml
    # @package _global_              # @package _global_
    optimizer:                       trainer:
      lrr: 0.05    # CM302             max_epoch: 1   # CM302: did you mean 'max_epochs'?

Instead:
    Fix the spelling, or define the key (with a default) in the option that owns it.

    An option no composition uses whose ``# @package`` header Hydra cannot read (``# @package
    _global_  # note``) is reported as CM000 here, since nothing else loads it.

Options:
    none.
"""

from __future__ import annotations

from collections.abc import Iterator

from hydra.plugins.config_source import ConfigSource
from omegaconf import DictConfig, OmegaConf

from confman.compose import DefaultsNode, compose
from confman.errors import ConfmanError, did_you_mean
from confman.lint.context import Composition, LintContext, YamlFile
from confman.lint.diagnostic import Diagnostic, Severity

CODE = "CM302"
NAME = "unknown-key"
LEVEL: Severity = "error"


_Header = tuple[dict[str, str | None], str | None]


def _header(yf: YamlFile) -> _Header:
    """Hydra's reading of the file's ``# @package`` header, and why it fails if it does."""
    text = yf.parsed.header_text if yf.parsed else ""
    if "@" not in text:  # Hydra's reader only takes lines starting "# @"
        return {"package": None}, None
    try:
        return ConfigSource._get_header_dict(text), None
    except ValueError as exc:
        return {}, str(exc)


def _foreign(yf: YamlFile, header: _Header) -> bool:
    """True when a group option's ``# @package`` header puts it outside its own group."""
    found, error = header
    if yf.group is None or yf.parsed is None or error:
        return False
    # Hydra's own header reader: only the leading run of ``# @key value`` lines counts
    package = found.get("package")
    if not package:
        return False
    own = yf.group.replace("/", ".")
    package = package.replace("_group_", own).removeprefix("_global_").lstrip(".")
    return not (package == own or package.startswith(own + "."))


def _files(node: DefaultsNode) -> set[str]:
    """Config-dir-relative files a composition loaded, from its defaults tree (cheap: no
    walk over every leaf's provenance)."""
    out = {f"{node.config_path}.yaml"} if node.config_path else set()
    for child in node.children:
        out |= _files(child)
    return out


def _unselected(ctx: LintContext, foreign: set[str], used: set[str]) -> list[Composition]:
    """Compose each primary with a packaged option that no composition selected."""
    extra: list[Composition] = []
    for rel in sorted(foreign - used):
        yf = ctx.files[rel]
        for primary in ctx.primaries:
            base = ctx.base(primary)
            if base is None:
                continue
            sign = "" if yf.group in base.composed.choices else "+"
            override = f"{sign}{yf.group}={yf.option}"
            try:
                composed = compose(
                    primary,
                    (override,),
                    config_dir=ctx.config_dir,
                    version_base=ctx.settings.version_base,
                )
            except ConfmanError:
                continue  # the option does not fit this primary; CM000 covers real errors
            extra.append(Composition(f"{primary} {override}", primary, (override,), composed))
    return extra


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    used = {rel for comp in ctx.compositions for rel in _files(comp.composed.defaults_tree)}
    headers = {rel: _header(yf) for rel, yf in ctx.files.items()}
    for rel, yf in sorted(ctx.files.items()):
        error = headers[rel][1] if rel not in used else None
        if error:  # a used file's bad header already failed its composition (CM000 there)
            yield Diagnostic(
                yf.shown,
                1,
                1,
                "CM000",
                "input-error",
                f"Hydra cannot read the header of {rel}: {error}",
                severity="error",
                fix="write the header as '# @package <package>' with nothing after it",
            )
    foreign = {rel for rel, yf in ctx.files.items() if _foreign(yf, headers[rel])}
    if not foreign:
        return
    seen: set[tuple[str, int]] = set()
    for comp in [*ctx.compositions, *_unselected(ctx, foreign, used)]:
        exp_files = foreign & _files(comp.composed.defaults_tree)
        if not exp_files:
            continue
        for path, writes in comp.composed.provenance.items():
            win = writes[-1]
            if win.file not in exp_files:  # (None included) only the experiment's own keys
                continue
            files = {w.file for w in writes if w.kind == "file"}
            if len(files) != 1 or (win.file, win.line or 1) in seen:
                continue
            parent, _, leaf = path.rpartition(".")
            node = (
                OmegaConf.select(comp.composed.config, parent) if parent else comp.composed.config
            )
            siblings = [
                k
                for k in (list(node.keys()) if isinstance(node, DictConfig) else [])
                if str(k) != leaf
                and _defined_elsewhere(comp, f"{parent}.{k!s}" if parent else str(k), exp_files)
            ]
            if parent and not siblings:
                continue  # a whole new section: the experiment owns it
            seen.add((win.file, win.line or 1))
            hint = did_you_mean(leaf, [str(s) for s in siblings])
            yield Diagnostic(
                ctx.shown(win.file),
                win.line or 1,
                1,
                CODE,
                NAME,
                f"unknown key '{path}': no primary or group option defines it"
                + (f"; {hint}" if hint else ""),
                severity=LEVEL,
                fix="fix the spelling or define the key where it belongs",
                key=path,
            )


def _defined_elsewhere(comp: Composition, prefix: str, exp_files: set[str]) -> bool:
    prov = comp.composed.provenance
    return any(
        (p == prefix or p.startswith(prefix + "."))
        and any(w.kind == "file" and w.file not in exp_files for w in ws)
        for p, ws in prov.items()
    )
