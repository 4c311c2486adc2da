from __future__ import annotations

from linttree import findings, messages


def _opt(name: str, lr: float) -> str:
    return (
        f"name: {name}\nlr: {lr}\neps: 1.0e-08\nweight_decay: 0.01\ngrad_clip: 1.0\n"
        "schedule:\n  warmup: 500\n  kind: cosine\n"
    )


def test_keys_every_option_repeats_are_one_finding_at_the_first_option(system):
    root = system(
        {
            "conf/optimizer/adam.yaml": _opt("adam", 0.001),
            "conf/optimizer/sgd.yaml": _opt("sgd", 0.1),
            "conf/optimizer/lamb.yaml": _opt("lamb", 0.002),
        }
    )
    assert findings(root, "CM207") == [("CM207", "conf/optimizer/adam.yaml", 3)]
    (msg,) = messages(root, "CM207")
    assert "every option of 'optimizer'" in msg
    assert "eps, weight_decay, grad_clip, schedule.*" in msg


def test_one_option_differing_or_two_options_only_is_clean(system):
    root = system(
        {
            "conf/optimizer/adam.yaml": _opt("adam", 0.001),
            "conf/optimizer/sgd.yaml": _opt("sgd", 0.1),
        }
    )
    assert findings(root, "CM207") == []
    root = system({"conf/optimizer/lamb.yaml": "name: lamb\nlr: 0.002\n"})
    assert findings(root, "CM207") == []


def test_values_options_get_from_their_shared_base_are_not_counted(system):
    ext = "defaults:\n  - base\n  - _self_\nname: {n}\n"
    root = system(
        {
            "conf/optimizer/adam.yaml": None,
            "conf/optimizer/sgd.yaml": None,
            "conf/experiment/big.yaml": None,  # it selects sgd
            "conf/optimizer/base.yaml": _opt("base", 0.001),
            "conf/optimizer/a.yaml": ext.format(n="a"),
            "conf/optimizer/b.yaml": ext.format(n="b"),
            "conf/train.yaml": "defaults:\n  - data: digits\n  - model: mlp\n  - optimizer: a\n"
            "  - _self_\nseed: 0\nrun_name: x\n",
        }
    )
    assert findings(root, "CM207") == []
