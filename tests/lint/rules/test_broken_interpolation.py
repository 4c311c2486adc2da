from __future__ import annotations

from linttree import findings, messages


def test_target_missing_only_in_one_experiment(system):
    root = system(
        {
            "conf/data/digits.yaml": "name: digits\nnum_classes: 10\npath: /data/digits\nsize: 8\n",
            "conf/model/mlp.yaml": "name: mlp\nhidden: 64\nnum_classes: ${data.num_classes}\nin_size: ${data.size}\n",  # noqa: E501
        }
    )
    assert findings(root, "CM301") == [("CM301", "conf/model/mlp.yaml", 4)]
    assert "train experiment=big" in messages(root, "CM301")[0]
    assert "train," not in messages(root, "CM301")[0]  # the plain primary composes fine


def test_resolvers_and_valid_references_are_clean(system):
    root = system(
        {
            "conf/data/digits.yaml": "name: digits\nnum_classes: 10\npath: ${oc.env:NO_SUCH_VAR_XYZ}\n"  # noqa: E501
        }
    )
    assert findings(root, "CM301") == []


def test_only_the_broken_reference_is_flagged_not_values_pointing_at_it(system):
    root = system(
        {
            "conf/model/mlp.yaml": """
                name: mlp
                hidden: 64
                num_classes: ${data.num_clases}
                width: ${model.num_classes}
                """
        }
    )
    assert findings(root, "CM301") == [("CM301", "conf/model/mlp.yaml", 3)]


def test_reference_rooted_at_an_enclosing_section_is_clean(system):
    # NeMo-style: the model section is handed on as a config of its own, so ${data.train.x}
    # written under model.data resolves at model.data.train.x
    root = system(
        {
            "conf/model/mlp.yaml": """
                name: mlp
                hidden: 64
                num_classes: ${data.num_classes}
                data:
                  train: {bos: true}
                  valid: {bos: "${data.train.bos}", eos: "${data.train.eos}"}
                """
        }
    )
    assert findings(root, "CM301") == [("CM301", "conf/model/mlp.yaml", 6)]
    assert "data.train.eos" in messages(root, "CM301")[0]


def _scheduler(code: str) -> dict[str, str]:
    return {
        "conf/model/mlp.yaml": """
            name: mlp
            hidden: 64
            num_classes: ${data.num_classes}
            scheduler:
              _target_: torch.optim.lr_scheduler.StepLR
              optimizer: ${model.optimizer}
              step_size: 10
            """,
        "src/sched.py": code,
    }


def test_a_target_key_the_code_passes_to_instantiate_is_a_placeholder(system):
    code = """
        from hydra.utils import instantiate

        def build(cfg, opt):
            return instantiate(cfg.model.scheduler, optimizer=opt)
        """
    assert findings(system(_scheduler(code)), "CM301") == []


def test_without_that_keyword_the_broken_reference_is_reported(system):
    code = """
        from hydra.utils import instantiate

        def build(cfg):
            return instantiate(cfg.model.scheduler)
        """
    assert findings(system(_scheduler(code)), "CM301") == [("CM301", "conf/model/mlp.yaml", 6)]
