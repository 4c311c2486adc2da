"""The access-tracking view handed to an entrypoint: what it records, how it passes as the model."""

from __future__ import annotations

import pytest
from omegaconf import DictConfig, OmegaConf
from pydantic import BaseModel

from confman.record.tracking import Tracked, track, unwrap


class Opt(BaseModel):
    lr: float = 0.1
    betas: list[float] = [0.9, 0.99]


class Cfg(BaseModel):
    opt: Opt = Opt()
    seed: int = 0


def test_model_view_records_leaves_and_passes_isinstance() -> None:
    view, seen = track(Cfg())
    assert isinstance(view, Cfg) and isinstance(view.opt, Opt) and type(view) is Tracked
    assert view.opt.lr == 0.1
    assert seen == {"opt.lr"}
    assert unwrap(view) == Cfg() and type(unwrap(view)) is Cfg


def test_dictconfig_view_item_get_and_iteration() -> None:
    cfg = OmegaConf.create({"opt": {"lr": 0.1, "momentum": 0.9}, "seed": 3})
    view, seen = track(cfg)
    assert isinstance(view, DictConfig)
    assert view["seed"] == 3 and view.get("missing", 7) == 7
    assert "opt" in view and set(view.opt.keys()) == {"lr", "momentum"}
    assert seen == {"seed"}  # membership and keys read no values
    dict(view.opt.items())
    assert seen == {"seed", "opt.lr", "opt.momentum"}


def test_view_is_read_only() -> None:
    view, _ = track(Cfg())
    with pytest.raises(AttributeError, match="read-only"):
        view.seed = 1
