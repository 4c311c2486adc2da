from __future__ import annotations

from linttree import findings, messages


def test_same_literal_in_two_groups_lists_every_place(system):
    root = system({"conf/model/mlp.yaml": "name: mlp\nhidden: 64\nnum_classes: 10\n"})
    assert findings(root, "CM203") == [("CM203", "conf/model/mlp.yaml", 3)]
    (msg,) = messages(root, "CM203")
    assert "data.num_classes (conf/data/digits.yaml:2)" in msg
    assert "model.num_classes (conf/model/mlp.yaml:3)" in msg


def test_interpolated_value_and_trivial_literals_are_clean(system):
    root = system(
        {
            "conf/model/mlp.yaml": "name: mlp\nhidden: 64\nnum_classes: ${data.num_classes}\nbias: true\n"  # noqa: E501
        }
    )
    assert findings(root, "CM203") == []


def test_hydra_instantiate_directives_are_not_copies(system):
    # each instantiated object says how to convert its own arguments (physicsnemo crash)
    root = system(
        {
            "conf/model/mlp.yaml": "name: mlp\nhidden: 64\n_convert_: all\n_name_: lm\n",
            "conf/data/digits.yaml": "name: digits\nnum_classes: 10\n_convert_: all\n_name_: lm\n",
        }
    )
    assert findings(root, "CM203") == []


def test_a_small_count_shared_by_two_sections_is_no_copy(system):
    """4 loader workers and 4 tokenizer workers are two knobs that happen to agree."""
    root = system(
        {
            "conf/data/digits.yaml": "name: digits\nnum_classes: 10\npath: /data/digits\n"
            "num_workers: 4\n",
            "conf/model/mlp.yaml": "name: mlp\nhidden: 64\nnum_workers: 4\n",
        }
    )
    assert findings(root, "CM203") == []
