"""Validation of composed configs: issues at file:line, did-you-mean, all at once, sorted."""

from __future__ import annotations

import pytest

import confman
from confman.schema import import_schema, load_bindings, validate_composed
from confman.settings import load_settings
from tests.schema.conftest import Project


def _validate(overrides: list[str] = ()) -> confman.schema.Validated:  # type: ignore[assignment]
    settings = load_settings()
    bindings = load_bindings(settings)
    composed = confman.compose("train", overrides, config_dir=settings.config_dir)
    return validate_composed(composed, bindings.configs["train"].schema)


class _Models:
    def __init__(self, project: Project) -> None:
        self.name = project.module  # type: ignore[attr-defined]

    def __getattr__(self, attr: str) -> type:
        return import_schema(f"{self.name}:{attr}")  # type: ignore[no-any-return]


def _module(project: Project) -> _Models:
    return _Models(project)


def test_valid_config_gives_instance(project: Project) -> None:
    project()
    result = _validate()
    assert result.issues == []
    assert result.instance.optimizer.lr == 0.001
    assert type(result.instance.optimizer).__name__ == "Adam"


def test_errors_name_file_line_found_and_sorted(project: Project) -> None:
    project(
        {
            "conf/optimizer/adam.yaml": "name: adam\nlr: 5\n",
            "conf/model/small.yaml": "name: small\nlayers: 0\n",
            "conf/train.yaml": """
            defaults:
              - optimizer: adam
              - model: small
              - _self_
            seed: 1
            epochs: 0
            lr_rate: 3
        """,
        }
    )
    issues = _validate().issues
    texts = [i.text() for i in issues]
    assert [i.location for i in issues] == [
        "model/small.yaml:2",
        "optimizer/adam.yaml:2",
        "train.yaml:6",
        "train.yaml:7",
    ]
    assert "less than or equal to 1" in texts[1] and "(found 5)" in texts[1]
    assert issues[2].path == "epochs" and "greater than or equal to 1" in issues[2].message
    assert issues[3].path == "lr_rate" and issues[3].message == "unknown key"
    assert issues[3].hint == "known keys: epochs, model, optimizer, seed, tag"


def test_unknown_key_did_you_mean(project: Project) -> None:
    project({"conf/optimizer/adam.yaml": "name: adam\nlr: 0.1\nbetaz: [0.9, 0.99]\n"})
    (issue,) = _validate().issues
    assert issue.path == "optimizer.betaz"
    assert issue.location == "optimizer/adam.yaml:3"
    assert issue.hint == "did you mean 'betas'?"


def test_override_is_named_as_the_source(project: Project) -> None:
    project()
    (issue,) = _validate(["optimizer.lr=-1"]).issues
    assert issue.location == "override 'optimizer.lr=-1'"
    assert issue.file is None and issue.found == -1


def test_missing_value_and_missing_field(project: Project) -> None:
    project({"conf/model/small.yaml": "name: ???\n"})
    issues = _validate().issues
    by_path = {i.path: i for i in issues}
    assert by_path["model.name"].message == "missing value (???)"
    assert by_path["model.name"].location == "model/small.yaml:1"
    assert by_path["model.layers"].message == "Field required"
    assert by_path["model.layers"].location == "model/small.yaml"


def test_interpolation_is_resolved_before_validation(project: Project) -> None:
    project(
        {
            "conf/train.yaml": """
        defaults:
          - optimizer: adam
          - model: small
          - _self_
        seed: 1
        epochs: ${model.layers}
        tag: ${oops}
    """
        }
    )
    issues = _validate().issues
    assert [i.path for i in issues] == ["tag"]
    assert "cannot resolve interpolation" in issues[0].message
    assert issues[0].location == "train.yaml:7"


def test_extra_allowed_by_model_opt_out(project: Project) -> None:
    project({"conf/model/small.yaml": "name: small\nwidth: 3\n"}, bindings={"model": "M:Loose"})
    settings = load_settings()
    bindings = load_bindings(settings)
    composed = confman.compose("train", config_dir=settings.config_dir)
    assert validate_composed(composed, None, bindings).issues == []


def test_compose_with_schema_returns_model(project: Project) -> None:
    root = project()
    module = _module(project)
    cfg = confman.compose("train", ["optimizer=sgd"], config_dir=root / "conf", schema=module.Train)
    assert isinstance(cfg, module.Train)
    assert cfg.optimizer.momentum == 0.9
    assert isinstance(confman.load_config("train"), module.Train)
    with pytest.raises(confman.ValidationFailed) as info:
        confman.compose("train", ["optimizer.lr=2"], config_dir=root / "conf", schema=module.Train)
    assert "override 'optimizer.lr=2'" in str(info.value)
    assert len(info.value.issues) == 1


def test_compose_without_schema_is_unchanged(project: Project) -> None:
    project()
    assert isinstance(confman.compose("train"), confman.Composed)


def test_load_saved_file(project: Project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    project()
    module = _module(project)
    good = tmp_path / "run.yaml"
    good.write_text("name: a\nlayers: 2\n")
    assert confman.load(good, module.Model).layers == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: a\nlayerz: 2\n")
    with pytest.raises(confman.ValidationFailed) as info:
        confman.load(bad, module.Model)
    assert f"{bad}:2: layerz: unknown key" in str(info.value)
    js = tmp_path / "run.json"
    js.write_text('{"name": "a", "layers": 0}')
    with pytest.raises(confman.ValidationFailed):
        confman.load(js, module.Model)


def test_sweep_points_share_one_composer_and_equal_compose(project: Project) -> None:
    """``run_validate`` composes a sweep's group-only points on the plain path (one composer
    for the sweep) and a point with a value override through ``confman.compose``; each
    point's issues are those of validating ``confman.compose``'s result."""
    from confman.compose.plain import PlainComposed
    from confman.schema.report import run_validate

    project({"conf/model/broken.yaml": "name: broken\nlayers: 0\n"})
    settings = load_settings()
    bindings = load_bindings(settings)
    report = run_validate(
        settings, bindings, ["train"], ["model=small,big,broken", "optimizer=adam,sgd"]
    )
    value = run_validate(settings, bindings, ["train"], ["epochs=0"])
    assert len(report.results) == 6 and len(report.failures) == 2
    assert all(isinstance(r.composed, PlainComposed) for r in report.results)
    assert not isinstance(value.results[0].composed, PlainComposed)
    for result in report.results + value.results:
        assert result.composed is not None
        expected = _validate(list(result.composed.overrides))
        assert [(i.path, i.message, i.location) for i in result.issues] == [
            (i.path, i.message, i.location) for i in expected.issues
        ]
