"""confman skips composing Hydra's own ``hydra`` node only when nothing can reach it.

``hydra.compose`` deletes that node from its result, so skipping it is invisible, unless a user
config or override writes under ``hydra``: then Hydra's schema may reject the value and confman
must reject it the same way.
"""

from __future__ import annotations

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from omegaconf import OmegaConf

from confman import ConfmanError, compose

BASE = {
    "train.yaml": "defaults:\n  - _self_\n  - experiment: null\nseed: 1\n",
    "experiment/run_dir.yaml": "# @package _global_\nhydra:\n  run:\n    dir: out/x\nseed: 2\n",
    "experiment/bad_hydra_key.yaml": "# @package _global_\nhydra:\n  no_such_field: 1\n",
    "hydra/job_logging/mine.yaml": "version: 1\nformatters: {}\n",
    "hydra/output/odd.yaml": "run:\n  dir: x\n",  # no '@package hydra': lands at hydra.output
}


def both(conf, overrides):
    with initialize_config_dir(config_dir=str(conf), version_base=None):
        try:
            expected = OmegaConf.to_container(hydra_compose("train", overrides), resolve=False)
        except Exception as exc:  # any Hydra failure must be a confman failure too
            expected = exc
    try:
        got = compose("train", overrides, config_dir=conf).to_container()
    except ConfmanError as exc:
        got = exc
    return expected, got


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["experiment=run_dir"],
        ["hydra.run.dir=elsewhere"],
        ["hydra/job_logging=disabled"],
        ["hydra/job_logging=mine"],
        ["hydra.job.name=x", "seed=5"],
        ["hydra/output=odd"],
    ],
    ids=[
        "untouched",
        "experiment-sets-hydra",
        "hydra-override",
        "hydra-group-pkg",
        "hydra-group-user-file",
        "mixed",
        "user-file-odd-package",
    ],
)
def test_same_result_as_hydra(make_tree, overrides):
    expected, got = both(make_tree(BASE), overrides)
    assert not isinstance(expected, Exception)
    assert got == expected


@pytest.mark.parametrize(
    "overrides",
    [["experiment=bad_hydra_key"], ["hydra.no_such=1"]],
    ids=["experiment-bad-key", "override-bad-key"],
)
def test_same_failure_as_hydra(make_tree, overrides):
    expected, got = both(make_tree(BASE), overrides)
    assert isinstance(expected, Exception), "Hydra accepts this; the test premise is wrong"
    assert isinstance(got, ConfmanError)


def test_hydra_node_returned_on_request(make_tree):
    conf = make_tree(BASE)
    composed = compose("train", ["experiment=run_dir"], config_dir=conf, return_hydra_config=True)
    assert composed.config.hydra.run.dir == "out/x"
    assert composed.config.hydra.overrides.task == ["experiment=run_dir"]
    assert composed.config.hydra.runtime.choices.experiment == "run_dir"
