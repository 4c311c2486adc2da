"""confman.secrets: what is secret (names, subtrees, shapes, SecretStr) and the keyed markers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr

from confman import secrets
from confman.errors import ConfmanError, ProjectSettingsError
from confman.secrets import (
    DEFAULT_RULES,
    SecretRules,
    is_secret_path,
    looks_secret,
    marker,
    redact,
    redact_argv,
    redact_lines,
    redact_patch,
    redact_text,
)
from confman.settings import load_settings, rules_from_settings


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        ("db.password", True),
        ("DB_PASSWORD", True),
        ("passwd", True),
        ("wandb.api_key", True),
        ("wandb.apiKey", True),
        ("hf_token", True),
        ("auth-token", True),
        ("client_secret", True),
        ("ssh.private_key", True),
        ("aws.secret_access_key", True),
        ("access_key_id", True),
        ("credentials", True),
        ("credentials.slack", True),
        ("tokens", True),
        ("tokens[0]", True),
        ("a.b.c.password.d", True),
        ("tokenizer.name", False),
        ("tokenizer", False),
        ("max_tokens", False),
        ("max_new_tokens", False),
        ("num_tokens", False),
        ("eos_token", False),
        ("special_tokens.unk_token", False),
        ("special_tokens.tokens", False),
        ("token_dim", False),
        ("optimizer.lr", False),
        ("keys", False),
        ("api", False),
        ("api_key_header", False),  # names a header, not a key
        ("password_file", False),
        ("hf_token_env", False),
        ("db.password.file", True),  # a subtree under a secret name stays secret
    ],
    ids=lambda v: str(v),
)
def test_secret_names(path: str, secret: bool) -> None:
    assert is_secret_path(path, DEFAULT_RULES) is secret


@pytest.mark.parametrize(
    "value",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "a" * 36,
        "github_pat_" + "b" * 40,
        "xoxb-123456789012-abcdefghij",
        "sk-proj-" + "c" * 30,
        "sk-" + "d" * 40,
        "hf_" + "e" * 34,
        "AIza" + "f" * 35,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlc2ln",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
        "postgresql://alice:hunter2@db:5432/ml",
        "https://user:pw@host/path",
        SecretStr("x"),
    ],
    ids=lambda v: str(v)[:12],
)
def test_credential_shapes(value: object) -> None:
    assert looks_secret(value, DEFAULT_RULES)


@pytest.mark.parametrize(
    "value", ["gpt2", "https://host/path", "postgresql://alice@db/ml", "sk-short", 12, None]
)
def test_public_values(value: object) -> None:
    assert not looks_secret(value, DEFAULT_RULES)


def test_redact_subtrees_shapes_and_secretstr() -> None:
    data = {
        "db": {"password": "hunter2", "url": "postgresql://a:pw9@h/x", "port": 5432},
        "tokens": ["tk1", "tk2"],
        "credentials": {"slack": "s", "nested": {"deep": 7, "flag": True, "none": None}},
        "tokenizer": {"name": "gpt2", "unk_token": "[UNK]"},
        "svc": {"handle": SecretStr("ss"), "id": "AKIAIOSFODNN7EXAMPLE"},
        "env": {"password": "${oc.env:PW}", "api_key": "???", "token": "${oc.env:T,fallback}"},
    }
    out = redact(data, rules=DEFAULT_RULES, key=b"k")
    text = repr(out)
    for clear in ("hunter2", "pw9", "tk1", "tk2", "'s'", "'ss'", "AKIA", "fallback"):
        assert clear not in text, clear
    assert out["db"]["port"] == 5432 and out["tokenizer"] == data["tokenizer"]
    assert out["credentials"]["nested"] == {"deep": marker(7, b"k"), "flag": True, "none": None}
    assert out["db"]["url"] == f"postgresql://a:{marker('pw9', b'k')}@h/x"
    assert out["env"]["password"] == "${oc.env:PW}" and out["env"]["api_key"] == "???"
    assert redact(out, rules=DEFAULT_RULES, key=b"k") == out  # idempotent


def test_secret_paths_hide_a_whole_subtree() -> None:
    out = redact({"svc": {"handle": {"a": "x"}}}, secret_paths=["svc.handle"], key=b"k")
    assert out == {"svc": {"handle": {"a": marker("x", b"k")}}}


def test_markers_are_keyed_stable_and_differ_per_key() -> None:
    assert marker("hunter2", b"one") == marker("hunter2", b"one")
    assert marker("hunter2", b"one") != marker("hunter2", b"two")
    assert marker("hunter2", b"one") != marker("hunter3", b"one")
    assert marker("hunter2", b"one").startswith("<secret:") and "hunter2" not in marker(
        "hunter2", b"one"
    )


def test_key_from_environment_then_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFMAN_SECRET_KEY", "team-key")
    assert secrets.secret_key() == b"team-key"
    monkeypatch.delenv("CONFMAN_SECRET_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    first = secrets.secret_key()
    key_file = tmp_path / "confman" / "secret.key"
    assert key_file.is_file() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) == 64 and first not in (b"team-key",)
    secrets.clear()
    assert secrets.secret_key() == first  # the same key next time: markers stay comparable
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other"))
    assert secrets.secret_key() != first
    secrets.clear()


def test_redact_text_overrides_flags_urls() -> None:
    text = (
        "+tracking.api_key=abc db.password='a b' ~db.password=x ++hf_token=y lr=0.1 "
        "API_KEY=zz --token=tt postgresql://u:pgpw@h:5/x"
    )
    out = redact_text(text, DEFAULT_RULES, b"k")
    for clear in ("abc", "'a b'", "=x ", "=y ", "zz", "tt", "pgpw"):
        assert clear not in out, clear
    assert (
        "lr=0.1" in out and "+tracking.api_key=<secret:" in out and "~db.password=<secret:" in out
    )


def test_redact_text_with_known_secret_paths() -> None:
    out = redact_text("service.handle=abc", DEFAULT_RULES, b"k", secret_paths=["service"])
    assert out == f"service.handle={marker('abc', b'k')}"


def test_redact_argv_flag_with_separate_value() -> None:
    argv = ["train.py", "--password", "pw1", "--epochs", "3", "db.password=pw2", "lr=1"]
    out = redact_argv(argv, DEFAULT_RULES)
    assert "pw1" not in out and "db.password=pw2" not in out
    assert out[3:5] == ["--epochs", "3"] and out[-1] == "lr=1"


def test_redact_lines_and_patch_blocks() -> None:
    lines = [
        "db:",
        "  password: hunter2  # prod",
        "credentials:",
        "  slack: s1",
        "  aws:",
        "    id: s2",
        "tokens:",
        "- s3",
        "lr: 0.1",
        'API_KEY = "s4"',
        '"token": "s5",',
    ]
    out = "\n".join(redact_lines(lines, DEFAULT_RULES, b"k"))
    for clear in ("hunter2", "s1", "s2", "s3", "s4", "s5"):
        assert clear not in out, clear
    assert "lr: 0.1" in out and "# prod" in out and "  slack: <secret:" in out
    patch = (
        "diff --git a/c.yaml b/c.yaml\n@@ -1,2 +1,3 @@\n"
        " credentials:\n+  github: s6\n-  github: s7\n lr: 1\n"
    )
    shown = redact_patch(patch, DEFAULT_RULES)
    assert shown is not None and "s6" not in shown and "s7" not in shown and " lr: 1" in shown


def test_project_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = rules_from_settings(
        {
            "secrets": {
                "extra-keys": ["^hook_url$"],
                "ignore-keys": ["db.password"],
                "extra-values": ["mycorp_[0-9a-f]{8}"],
            }
        }
    )
    assert is_secret_path("hook_url", rules) and not is_secret_path("db.password", rules)
    assert looks_secret("x mycorp_deadbeef y", rules)
    assert redact({"a": "mycorp_deadbeef"}, rules=rules, key=b"k") == {
        "a": marker("mycorp_deadbeef", b"k")
    }
    (tmp_path / "pyproject.toml").write_text(
        '[tool.confman]\n[tool.confman.secrets]\nextra-keys = ["^hook_url$"]\n'
    )
    monkeypatch.chdir(tmp_path)
    assert is_secret_path("hook_url")  # the project around the current directory


@pytest.mark.parametrize(
    "table",
    [{"extra-key": []}, {"extra-keys": "x"}, {"extra-keys": ["("]}, "x"],
    ids=["typo", "not-a-list", "bad-regex", "not-a-table"],
)
def test_bad_project_patterns_are_errors(table: object) -> None:
    with pytest.raises(ProjectSettingsError):
        rules_from_settings({"secrets": table})


@pytest.mark.parametrize(
    ("secrets_table", "message", "hint"),
    [
        ('extra-key = ["x"]', "[tool.confman.secrets] unknown option 'extra-key'", "did you mean"),
        ('extra-keys = "x"', "[tool.confman.secrets] extra-keys must be a list of regexes", "e.g."),
        ('extra-values = ["("]', "[tool.confman.secrets] extra-values: '(' is not a regex", None),
    ],
    ids=["typo", "not-a-list", "bad-regex"],
)
def test_bad_project_patterns_fail_settings_and_leave_the_built_in_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secrets_table: str, message: str, hint: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.confman]\nsecret_patterns = ["^hook_url$"]\n'
        f"[tool.confman.secrets]\n{secrets_table}\n"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectSettingsError) as caught:
        load_settings()
    assert caught.value.message.startswith(message)
    assert hint is None or (caught.value.hint or "").startswith(hint)
    assert secrets.project_rules() == DEFAULT_RULES  # redaction never fails
    assert not is_secret_path("hook_url")


def test_rules_are_found_without_loading_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every error message is redacted with these rules: finding them raises no error."""
    (tmp_path / "pyproject.toml").write_text("[tool.confman\n")
    monkeypatch.chdir(tmp_path)
    assert secrets.project_rules() == DEFAULT_RULES
    with pytest.raises(ProjectSettingsError, match="cannot read project settings"):
        load_settings()
    assert "pw9" not in str(ConfmanError("db.password=pw9"))
    (tmp_path / "pyproject.toml").write_text('[tool.confman]\nsecret_patterns = ["^hook_url$"]\n')
    assert is_secret_path("hook_url")  # re-read when the pyproject changes


def test_error_messages_are_redacted() -> None:
    exc = ConfmanError(
        "cannot open postgresql://u:pw1@h/x for db.password=pw2", hint="try api_key=pw3"
    )
    for clear in ("pw1", "pw2", "pw3"):
        assert clear not in str(exc)
    assert SecretRules() == DEFAULT_RULES


def test_secret_fields_of_a_model_class() -> None:
    class Inner(BaseModel):
        handle: SecretStr | None = None
        name: str = ""

    class Outer(BaseModel):
        inner: Inner
        pw: SecretStr
        items: list[int] = []

    assert secrets.secret_fields(Outer) == ["inner.handle", "pw"]


def test_no_key_file_is_written_by_the_suite() -> None:
    # tests/conftest.py sets the key: recording in tests never creates ~/.config/confman.
    assert os.environ.get("CONFMAN_SECRET_KEY")


def test_redacted_record_keeps_no_hash_of_the_clear_config() -> None:
    from confman.store import RunRecord, fingerprint
    from confman.store.secrets import redact_record

    clear = {"db": {"password": "hunter2"}, "lr": 0.1}
    rec = redact_record(RunRecord(config=clear, raw_config=clear, argv=["x", "db.password=pw"]))
    assert rec.fingerprint != fingerprint(clear)
    assert rec.fingerprint == fingerprint(rec.config)
    assert "hunter2" not in repr(rec) and "pw" not in rec.argv[1]


def test_an_error_message_never_creates_the_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFMAN_SECRET_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    secrets.clear()
    assert "pw1" not in str(ConfmanError("bad override db.password=pw1"))
    assert not (tmp_path / "confman").exists()


def test_a_typo_in_the_secrets_table_is_a_cli_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from confman.cli import app

    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text("lr: 1\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.confman]\n[tool.confman.secrets]\nextra-key = ["x"]\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["compose", "train"])
    assert result.exit_code == 2
    assert "unknown option 'extra-key'" in result.stderr and "extra-keys" in result.stderr


def test_replay_exec_refuses_overrides_stored_as_markers() -> None:
    from confman.record.replay import exec_replay
    from confman.store import RunRecord
    from confman.store.secrets import redact_record

    rec = redact_record(RunRecord(overrides=["db.password=pw", "lr=1"], argv=["train.py"]))
    with pytest.raises(ConfmanError, match=r"secret overrides \(db.password\)"):
        exec_replay(rec)


@pytest.mark.parametrize(
    ("override", "shown"),
    [
        ("db.password=a1,b2", "db.password=<m>"),
        ("db.password=choice(a1,b2)", "db.password=<m>"),
        ("+tracking.api_key=glob(*)", "+tracking.api_key=<m>"),
        ("db.password='x y',z", "db.password=<m>"),
        ("credentials={slack:x,gh:y}", "credentials=<m>"),
        ("--token=q1,r2", "--token=<m>"),
        ("~db.password", "~db.password"),
        ("db.password=${oc.env:PW}", "db.password=${oc.env:PW}"),
        ("lr=0.1,0.2", "lr=0.1,0.2"),
        ("db@backup=mysql", "db@backup=mysql"),
    ],
    ids=lambda v: v,
)
def test_an_override_is_one_value_sweeps_included(override: str, shown: str) -> None:
    """A command-line override is one argument: everything after its first ``=`` is the value
    (Hydra's sweep ``a,b`` and its functions too), and in argv the same."""
    out = secrets.redact_override(override)
    assert secrets.MARKER.sub("<m>", out) == shown
    assert redact_argv(["app.py", "-m", override])[2] == out


def test_sweep_values_in_free_text_run_to_the_next_assignment() -> None:
    text = "unrecognized arguments: lr=0.1,0.2 db.password=S3CRETa,S3CRETb x=1,db.token=S3CRETc"
    out = redact_text(text)
    assert "S3CRET" not in out
    assert out.startswith("unrecognized arguments: lr=0.1,0.2 db.password=<secret:")
    assert ",db.token=<secret:" in out and " x=1," in out


def test_debug_tracebacks_hide_values_errors_carry_for_secret_keys() -> None:
    """pydantic quotes ``input_value='...'`` and OmegaConf ``Value '...'`` without the key on
    the same line: the traceback shows markers for values at secret keys, public ones as is."""
    from dataclasses import dataclass

    from omegaconf import OmegaConf
    from pydantic import ValidationError

    class Db(BaseModel):
        password: int
        port: int

    class Train(BaseModel):
        db: Db

    with pytest.raises(ValidationError) as caught:
        Train.model_validate({"db": {"password": "S3CRETpydantic", "port": "notaport"}})
    text = secrets.format_exception(caught.value)
    assert "Traceback" in text and "db.password" in text and "input_value='<secret:" in text
    assert "S3CRETpydantic" not in text and "input_value='notaport'" in text

    @dataclass
    class Conf:
        api_token: int = 0

    cfg = OmegaConf.structured(Conf)
    try:
        cfg.api_token = "S3CRETomegaconf"
    except Exception as exc:  # omegaconf.errors.ValidationError
        wrapped = ConfmanError("could not set the token")
        wrapped.__cause__ = exc
        text = secrets.format_exception(wrapped)
    assert "full_key: api_token" in text and "S3CRETomegaconf" not in text
    assert "could not set the token" in text


def test_the_debug_traceback_of_the_cli_is_redacted(tmp_path: Path) -> None:
    """``CONFMAN_DEBUG=1 confman ...`` in a real process: the traceback, not Python's own."""
    import subprocess
    import sys

    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "train.yaml").write_text("db:\n  password: filepw\n")
    env = {**os.environ, "CONFMAN_DEBUG": "1", "PYTHONPATH": str(Path(__file__).parents[1])}
    command = ["compose", "train", "~db.password=S3CRETdebug1", "-c", str(conf)]
    proc = subprocess.run(
        [sys.executable, "-m", "confman", *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback (most recent call last)" in proc.stderr
    assert "OverrideError: cannot delete 'db.password': its value is <secret:" in proc.stderr
    assert "S3CRETdebug1" not in proc.stderr


def test_logs_are_scrubbed_by_pattern_and_by_known_value() -> None:
    """``redacted_logs``: every record of every logger, its message and its exception text;
    the previous record factory comes back after the block."""
    import io
    import logging

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    log = logging.getLogger("tests.secrets.scrub")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    scrub = secrets.Scrubber(secret_paths=["service.handle"])
    scrub.learn_config({"db": {"password": "S3CRETlog1"}, "service": {"handle": "S3CRETlog2"}})
    before = logging.getLogRecordFactory()
    try:
        with secrets.redacted_logs(scrub):
            log.info("connecting with %s and %s", "S3CRETlog1", "S3CRETlog2")
            log.info("overrides: db.password=S3CRETlog3 lr=0.1")
            try:
                raise RuntimeError("login failed for S3CRETlog1")
            except RuntimeError:
                log.exception("the run failed")
        log.info("after: S3CRETlog1")
    finally:
        log.removeHandler(handler)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0].startswith("tests.secrets.scrub connecting with <secret:")
    assert "S3CRETlog1" not in text.split("after:")[0] and "S3CRETlog2" not in text
    assert "S3CRETlog3" not in text and "lr=0.1" in text
    assert "RuntimeError: login failed for <secret:" in text
    assert lines[-1] == "tests.secrets.scrub after: S3CRETlog1"
    assert logging.getLogRecordFactory() is before


def test_a_pickled_scrubber_carries_no_key_and_no_secret() -> None:
    """Launchers pickle the job's closures (submitit writes them to ``.submitit/``)."""
    import pickle

    scrub = secrets.Scrubber(secret_paths=["service.handle"])
    scrub.learn_config({"db": {"password": "S3CRETpickle"}})
    assert scrub("pw S3CRETpickle").startswith("pw <secret:")
    data = pickle.dumps(scrub)
    assert b"S3CRETpickle" not in data and secrets.secret_key() not in data
    assert pickle.loads(data).secret_paths == ("service.handle",)
