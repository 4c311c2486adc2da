from __future__ import annotations

from linttree import CLEAN, findings


def test_literal_token_is_found(system):
    root = system(
        {"conf/data/digits.yaml": CLEAN["conf/data/digits.yaml"] + "api_key: sk-live-abc123\n"}
    )
    assert ("CM401", "conf/data/digits.yaml", 4) in findings(root, "CM401")


def test_env_interpolation_and_placeholders_are_clean(system):
    extra = "api_key: ${oc.env:DATA_API_KEY}\npassword: '???'\ntoken_count: 5\n"
    root = system({"conf/data/digits.yaml": CLEAN["conf/data/digits.yaml"] + extra})
    assert findings(root, "CM401") == []


def test_tokenizer_vocabulary_is_not_a_secret(system):
    # NeMo's special_tokens: unk_token: '[UNK]' names a vocabulary entry, not a credential
    extra = "special_tokens:\n  unk_token: '[UNK]'\n  pad_token: '[PAD]'\nauth_token: hf_abc123\n"
    root = system({"conf/data/digits.yaml": CLEAN["conf/data/digits.yaml"] + extra})
    assert findings(root, "CM401") == [("CM401", "conf/data/digits.yaml", 7)]
