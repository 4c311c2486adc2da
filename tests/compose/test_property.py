"""Property: on random small Hydra trees, confman composes exactly what ``hydra.compose`` does.

Trees mix groups, options, ``@package`` headers and renames, ``_self_`` positions, ``optional`` and
``null`` defaults, colliding keys of different types, and overrides of every kind. Whenever Hydra
refuses a composition confman must refuse it too; otherwise the configs must be equal and every
leaf's winning write must hold the composed value.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from confman import ConfmanError, compose
from confman.provenance import iter_leaves, same_value

KEYS = ["a", "b", "c", "g0"]
scalars = st.one_of(
    st.integers(-5, 5),
    st.sampled_from(["x", "???", "${a}", "1e-3", "yes"]),
    st.booleans(),
    st.none(),
    st.floats(-2, 2, allow_nan=False).map(lambda f: round(f, 2)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=2),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=2),
    ),
    max_leaves=4,
)
bodies = st.dictionaries(st.sampled_from(KEYS), values, max_size=3)


@st.composite
def trees(draw: Any) -> tuple[dict[str, str], list[str]]:
    files: dict[str, str] = {}
    defaults: list[Any] = []
    overrides: list[str] = []
    n_groups = draw(st.integers(1, 3))
    for g in range(n_groups):
        options = draw(st.integers(1, 3))
        for o in range(options):
            header = draw(st.sampled_from(["", "", "# @package _global_\n", "# @package p.q\n"]))
            files[f"g{g}/o{o}.yaml"] = header + yaml.safe_dump(draw(bodies), sort_keys=False)
        kind = draw(st.sampled_from(["plain", "plain", "pkg", "optional", "null", "missing_opt"]))
        option = f"o{draw(st.integers(0, options - 1))}"
        if kind == "pkg":
            defaults.append({f"g{g}@pk{g}": option})
        elif kind == "optional":
            defaults.append(f"optional g{g}: {option}")
        elif kind == "null":
            defaults.append({f"g{g}": None})
        elif kind == "missing_opt":
            defaults.append(f"optional g{g}: nope")
        else:
            defaults.append({f"g{g}": option})
        if draw(st.booleans()) and kind in ("plain", "null"):
            overrides.append(f"g{g}=o{draw(st.integers(0, options - 1))}")
    self_at = draw(st.sampled_from(["first", "last", "absent"]))
    if self_at == "first":
        defaults.insert(0, "_self_")
    elif self_at == "last":
        defaults.append("_self_")
    primary = {"defaults": defaults, **draw(bodies)}
    text = yaml.safe_dump(primary, sort_keys=False)
    files["config.yaml"] = text.replace("'optional ", "optional ").replace(": nope'", ": nope")
    files["config.yaml"] = _unquote_optional(files["config.yaml"])
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from(KEYS))
        overrides.append(
            draw(
                st.sampled_from(
                    [f"{key}=7", f"+{key}=new", f"++{key}.z=1", f"~{key}", f"{key}=[1,2]"]
                )
            )
        )
    return files, overrides


def _unquote_optional(text: str) -> str:
    """yaml.safe_dump quotes ``'optional g0: o1'`` entries; write them as Hydra users do."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("- 'optional ") and stripped.endswith("'"):
            name, _, option = stripped[3:-1].partition(": ")
            line = line[: line.index("-")] + f"- {name}: {option}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(trees())
def test_random_trees_compose_like_hydra(tree: tuple[dict[str, str], list[str]]) -> None:
    files, overrides = tree
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write(root, files)
        try:
            with initialize_config_dir(config_dir=str(root), version_base=None):
                expected: Any = OmegaConf.to_container(
                    hydra_compose("config", overrides), resolve=False
                )
        except Exception as exc:  # any refusal by Hydra
            expected = exc
        try:
            composed = compose("config", overrides, config_dir=root)
        except ConfmanError as exc:
            assert isinstance(expected, Exception), f"confman refused, Hydra did not: {exc}"
            return
        assert not isinstance(expected, Exception), f"Hydra refused, confman did not: {expected!r}"
        got = composed.to_container()
        assert got == expected
        leaves = dict(iter_leaves(got))
        prov = composed.provenance
        assert set(prov) == set(leaves)
        for key, history in prov.items():
            assert same_value(history[-1].value, leaves[key]), (key, history)
            assert history[-1].kind in ("file", "override", "indirect"), (key, history)
