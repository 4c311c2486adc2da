from __future__ import annotations

from linttree import findings, messages


def test_near_identical_option_says_how_it_differs(system):
    root = system(
        {
            "conf/optimizer/adam.yaml": "name: adam\nlr: 0.001\nbetas: [0.9, 0.999]\neps: 1.0e-8\n",
            "conf/optimizer/adam_fast.yaml": "name: adam\nlr: 0.01\nbetas: [0.9, 0.999]\neps: 1.0e-8\n",  # noqa: E501
            "conf/experiment/fast.yaml": "# @package _global_\ndefaults:\n  - override /optimizer: adam_fast\n",  # noqa: E501
        }
    )
    assert findings(root, "CM204") == [("CM204", "conf/optimizer/adam_fast.yaml", 1)]
    assert "only in 'lr' (0.001 vs 0.01)" in messages(root, "CM204")[0]


def test_identical_option(system):
    root = system(
        {"conf/data/digits_copy.yaml": "name: digits\nnum_classes: 10\npath: /data/digits\n"}
    )
    assert ("CM204", "conf/data/digits_copy.yaml", 1) in findings(root, "CM204")
    assert "identical to data/digits" in messages(root, "CM204")[0]


def test_distinct_options_are_clean(system):
    assert findings(system(), "CM204") == []
