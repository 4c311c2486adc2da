"""``confman compose``, ``confman explain`` and ``confman tree``: composition seen from the shell.

``compose`` follows the output contract in DESIGN.md exactly (other tools parse it): with
``--format json`` stdout holds only ``OmegaConf.to_container`` of Hydra's compose, as JSON.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from confman.cli.app import user_errors
from confman.cli.complete import explain_keys, name_or_override, override_words
from confman.cli.hydrawarn import hydra_warnings
from confman.cli.render import explain_lines, resolve_config, tree_lines
from confman.secrets import redact_at, redact_text

if TYPE_CHECKING:
    from confman.compose import Composed
    from confman.provenance import Write

__all__ = ["register"]

ConfigDirOption = Annotated[
    Path | None,
    typer.Option(
        "--config-dir",
        "-c",
        help="Hydra config tree. Default: [tool.confman] config_dir, else ./conf.",
        show_default=False,
    ),
]
NameArg = Annotated[
    str | None,
    typer.Argument(
        help="Primary config name (file in the config dir, without .yaml); NAME@REV composes "
        "the tree as committed at git revision REV. "
        "Default: [tool.confman] config_name, or the only primary config.",
        show_default=False,
        autocompletion=name_or_override,
    ),
]
OverridesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Hydra overrides: key=value, +key=value, ++key=value, ~key, group=option.",
        show_default=False,
        autocompletion=override_words,
    ),
]


def _compose(name: str | None, overrides: list[str] | None, config_dir: Path | None) -> Composed:
    """Compose from CLI arguments; a first positional that looks like an override is one."""
    from confman.compose import compose
    from confman.settings import load_settings

    rest = list(overrides or [])
    if name is not None and _looks_like_override(name):
        rest.insert(0, name)
        name = None
    settings = load_settings(config_dir=config_dir)
    if name is None:
        name = _default_name(settings.raw.get("config_name"), settings.config_dir)
    name, at, rev = name.partition("@")
    if at:  # NAME@REV: the tree as committed at REV, read by git; the working tree is untouched
        from confman.diff.gitrev import compose_at

        return compose_at(name, rest, settings, rev)
    return compose(name, rest, config_dir=settings.config_dir, version_base=settings.version_base)


def _looks_like_override(word: str) -> bool:
    return "=" in word or word.startswith(("~", "+"))


def _default_name(configured: Any, config_dir: Path) -> str:
    from confman.errors import MissingConfigError

    if isinstance(configured, str):
        return configured
    primaries = sorted(p.stem for p in config_dir.glob("*.yaml")) if config_dir.is_dir() else []
    if len(primaries) == 1:
        return primaries[0]
    shown = ", ".join(primaries) or "none found"
    raise MissingConfigError(
        "no config name given",
        hint=f"name one of: {shown} (or set config_name in [tool.confman])",
    )


def compose_command(
    name: NameArg = None,
    overrides: OverridesArg = None,
    config_dir: ConfigDirOption = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="Output format: yaml or json.")
    ] = "yaml",
    resolve: Annotated[
        bool,
        typer.Option("--resolve/--no-resolve", help="Resolve ${...} interpolations."),
    ] = False,
    provenance: Annotated[
        bool,
        typer.Option(
            "--provenance",
            help="Also print, for every leaf, each file:line or override that wrote it.",
        ),
    ] = False,
) -> None:
    """Compose a config exactly as Hydra does and print it.

    Examples:

      confman compose train model=mlp optimizer.lr=0.01

      confman compose train experiment=big --format json --provenance

      confman compose train@HEAD~1 model=mlp
    """
    with hydra_warnings(), user_errors():
        _check_format(output_format, ("yaml", "json"))
        composed = _compose(name, overrides, config_dir)
        config = resolve_config(composed) if resolve else composed.to_container(resolve=False)
        payload: Any = config
        if provenance:
            payload = {"config": config, "provenance": _writes_json(composed.provenance)}
            if composed.deleted:
                payload["deleted"] = _writes_json(composed.deleted)
        typer.echo(_dump(payload, output_format), nl=False)


def _check_format(value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        from confman.errors import ConfmanError

        choices = " or ".join(f"--format {a}" for a in allowed)
        raise ConfmanError(f"unknown --format '{value}'", hint=f"use {choices}")


def _writes_json(histories: Mapping[str, tuple[Write, ...]]) -> dict[str, list[dict[str, Any]]]:
    """Provenance histories in the JSON shape of DESIGN.md's contract."""
    return {key: [w.to_json() for w in writes] for key, writes in histories.items()}


def _json_value(value: Any) -> Any:
    """JSON for the values YAML has and JSON lacks: ``!!binary`` bytes print as base64 text."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    from confman.errors import ConfmanError

    raise ConfmanError(
        f"cannot print a {type(value).__name__} value as JSON",
        hint="use --format yaml",
    )


def _dump(payload: Any, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(payload, indent=2, ensure_ascii=False, default=_json_value) + "\n"
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(
        payload, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def explain_command(
    key: Annotated[
        str,
        typer.Argument(
            help="Dotted key or subtree, e.g. optimizer.lr.", autocompletion=explain_keys
        ),
    ],
    name: NameArg = None,
    overrides: OverridesArg = None,
    config_dir: ConfigDirOption = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="Output format: text or json.")
    ] = "text",
) -> None:
    """Show where a key's value came from: every file:line or override that wrote it.

    Example:

      confman explain optimizer.lr train experiment=big
    """
    with hydra_warnings(), user_errors():
        _check_format(output_format, ("text", "json"))
        composed = _compose(name, overrides, config_dir)
        history = composed.history(key)
        if not history:
            _unknown_key(key, composed)
        if output_format == "json":
            shown = {
                key: [
                    {
                        name: redact_at(key, v)
                        if name == "value"
                        else redact_text(v)
                        if isinstance(v, str)
                        else v
                        for name, v in write.items()
                    }
                    for write in writes
                ]
                for key, writes in _writes_json(history).items()
            }
            typer.echo(json.dumps(shown, indent=2, ensure_ascii=False, default=_json_value))
            return
        for line in explain_lines(key, composed, history):
            typer.echo(line)


def _unknown_key(key: str, composed: Composed) -> None:
    from confman.errors import ConfmanError, did_you_mean

    candidates = set(composed.provenance)
    for path in list(candidates):
        parts = path.split(".")
        candidates.update(".".join(parts[:i]) for i in range(1, len(parts)))
    guess = did_you_mean(key, candidates)
    raise ConfmanError(
        f"no key '{key}' in config '{composed.config_name}'",
        hint=guess or "run `confman compose` to see the keys",
    )


def tree_command(
    name: NameArg = None,
    overrides: OverridesArg = None,
    config_dir: ConfigDirOption = None,
) -> None:
    """Show the resolved defaults tree, and which file or override chose each option.

    Example:

      confman tree train experiment=big
    """
    with hydra_warnings(), user_errors():
        composed = _compose(name, overrides, config_dir)
        for line in tree_lines(composed.defaults_tree):
            typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add ``compose``, ``explain`` and ``tree`` to the CLI."""
    app.command("compose")(compose_command)
    app.command("explain")(explain_command)
    app.command("tree")(tree_command)
