"""``confman.lint.reachable``: the compositions ``--fix`` must leave unchanged."""

from __future__ import annotations

from confman.lint.reachable import Reachable, experiment_like_groups, reachable


def test_primaries_and_every_experiment_like_option(system):
    root = system(
        {
            "conf/experiment/owt/small.yaml": "# @package _global_\nseed: 1\n",
            "conf/dset/a.yaml": "# licence\n\n# @package _global_\ndset: a\n",
            "conf/dset/b.yaml": "# @package _global_\ndset: b\n",
            "conf/eval.yaml": "defaults:\n  - dset@_global_: a\n",
        }
    )
    conf = root / "conf"
    groups = experiment_like_groups(conf)
    assert groups["experiment"] == ["big", "owt/small"]
    assert groups["dset"] == ["a", "b"]
    assert "model" not in groups and "optimizer" not in groups
    assert reachable(conf) == [
        Reachable("eval"),
        Reachable("eval", ("dset@_global_=b",)),
        Reachable("train"),
        Reachable("train", ("experiment=big",)),
        Reachable("train", ("experiment=owt/small",)),
    ]
    assert Reachable("train", ("experiment=owt/small",)).label == "train experiment=owt/small"


def test_a_group_with_one_non_global_option_is_not_experiment_like(system):
    root = system({"conf/data/extra.yaml": "# @package _global_\nname: extra\n"})
    assert "data" not in experiment_like_groups(root / "conf")
