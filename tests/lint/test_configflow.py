from __future__ import annotations

import ast

import pytest

from confman.lint.configflow import Flow, FlowCollector


def flows(*modules: str) -> set[Flow]:
    collector = FlowCollector()
    for i, text in enumerate(modules):
        collector.add_module(f"m{i}", ast.parse(text))
    return collector.flows()


MAIN = (
    "import hydra\nfrom hydra.utils import instantiate as inst\n\n"
    "@hydra.main(config_path='conf', config_name='train')\n"
    "def main(cfg):\n    {body}\n"
)


@pytest.mark.parametrize(
    "body",
    [
        "for _, cb in cfg.callbacks.items():\n        inst(cb)",
        "[inst(cb) for cb in cfg.callbacks.values()]",
        "helper(cfg.get('callbacks'))",
    ],
    ids=["items-loop", "values-comprehension", "helper-function"],
)
def test_instantiated_through_iteration_and_helpers(body):
    helper = "\ndef helper(cbs):\n    return [hydra.utils.instantiate(c) for _, c in cbs.items()]\n"
    found = flows(MAIN.format(body=body) + helper)
    assert Flow("instantiate", ("callbacks", "*"), True, "train") in found


def test_whole_config_to_library_and_to_printer():
    body = "print(OmegaConf.to_yaml(cfg))\n    Builder(**cfg.trainer)"
    found = flows(MAIN.format(body=body))
    assert Flow("logged", (), True, "train") in found
    assert Flow("opaque", ("trainer",), True, "train") in found


def test_getattr_named_by_a_config_value_is_a_chosen_child():
    found = flows(MAIN.format(body="Model(**getattr(cfg, cfg.model))"))
    assert Flow("opaque", ("?",), True, "train") in found
