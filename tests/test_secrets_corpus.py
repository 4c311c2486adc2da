"""The secrets corpus: every way a secret reaches confman, recorded through the real record path
into a real store, then every command's output. Not one secret may appear in clear: not in the
store's bytes (SQLite file and WAL, every PostgreSQL table), not on stdout, not on stderr.

Each secret is a unique string, so a leak is found by a plain substring search.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import confman
from confman.cli import app

# -- the corpus ----------------------------------------------------------------------------

#: In config files: key names at any depth, subtrees, URL passwords, credential shapes.
IN_FILES = {
    "db.password": "S3CRETdbpw01",
    "db.url": "S3CRETurlpw02",  # postgresql://alice:<this>@...
    "ssh.private_key": "S3CRETsshkey03",
    "tokens[0]": "S3CRETtok04",
    "tokens[1]": "S3CRETtok05",
    "credentials.slack": "S3CRETslack06",
    "credentials.nested.deep": "S3CRETdeep07",
    "hook_url": "S3CRETproject08",  # secret only through [tool.confman.secrets] extra-keys
    "aws": "AKIAQWERTYUIOPASDFGH",
    "notes.gh": "ghp_S3CRETaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa09",
    "notes.openai": "sk-proj-S3CRETbbbbbbbbbbbbbbbbbbbb10",
    "notes.slack_hook": "xoxb-S3CRET11-cccccccccccc",
    "notes.hf": "hf_S3CRETdddddddddddddddddddddddddddd12",
}
#: On the command line: overrides (+add, set, ~delete), a --flag, a SecretStr field's value.
ON_CLI = {
    "+tracking.api_key": "S3CRETcli13",
    "db.password": "S3CRETcli14",
    "--password": "S3CRETflag15",
    "service.handle": "S3CRETsecretstr16",  # a SecretStr field: secret by type, not by name
}
#: In the dirty git patch: a YAML line, a block under a secret name, a Python assignment.
IN_PATCH = ("S3CRETpatch17", "S3CRETpatch18", "S3CRETpatch19")
#: Elsewhere: a PostgreSQL URL given to --store, a validate failure, a compose error.
ELSEWHERE = ("S3CRETstore20", "S3CRETvalidate21", "S3CRETdelete22", "S3CRETdiff23")

#: A sweep over secret values (``db.password=a,b``): one override, two secrets.
IN_SWEEP = ("S3CRETsweep24",)

SECRETS = (*IN_FILES.values(), *ON_CLI.values(), *IN_PATCH, *ELSEWHERE, *IN_SWEEP)
#: values that look secret-ish but are not: they must stay readable
PUBLIC = ("gpt2", "localhost", "[UNK]")

TRAIN = f"""
defaults:
  - _self_
db:
  host: localhost
  password: {IN_FILES["db.password"]}
  url: postgresql://alice:{IN_FILES["db.url"]}@db.example.com:5432/ml
ssh:
  private_key: {IN_FILES["ssh.private_key"]}
tokens: [{IN_FILES["tokens[0]"]}, {IN_FILES["tokens[1]"]}]
credentials:
  slack: {IN_FILES["credentials.slack"]}
  nested:
    deep: {IN_FILES["credentials.nested.deep"]}
hook_url: {IN_FILES["hook_url"]}
aws: {IN_FILES["aws"]}
notes:
  gh: {IN_FILES["notes.gh"]}
  openai: {IN_FILES["notes.openai"]}
  slack_hook: {IN_FILES["notes.slack_hook"]}
  hf: {IN_FILES["notes.hf"]}
tokenizer:
  name: gpt2
  unk_token: "[UNK]"
max_tokens: 512
service:
  handle: public-looking
tracking:
  uri: http://localhost
lr: 0.1
"""

SCHEMA = """
from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Service(BaseModel):
    handle: SecretStr


class Db(BaseModel):
    model_config = ConfigDict(extra="allow")
    password: str = Field(max_length=20)


class Train(BaseModel):
    model_config = ConfigDict(extra="allow")
    service: Service
    db: Db
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A git project with the corpus in conf/, a schema binding and a dirty working tree."""
    module = f"corpus_schema_{uuid.uuid4().hex[:8]}"
    files = {
        "conf/train.yaml": TRAIN,
        "conf/extra.yaml": "defaults:\n  - train\n  - _self_\nlr: 0.2\n",
        f"{module}.py": SCHEMA,
        "train.py": "API_KEY = None\n",
        "pyproject.toml": f"""
            [tool.confman]
            config_dir = "conf"

            [tool.confman.schemas]
            train = "{module}:Train"

            [tool.confman.secrets]
            extra-keys = ["^hook_url$"]
        """,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "init")
    # The dirty patch: an added secret line, a block under a secret name, a Python assignment.
    extra = tmp_path / "conf" / "extra.yaml"
    extra.write_text(
        extra.read_text()
        + f"db:\n  password: {IN_PATCH[0]}\ncredentials:\n  github: {IN_PATCH[1]}\n"
    )
    (tmp_path / "train.py").write_text(f'API_KEY = "{IN_PATCH[2]}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop(module, None)


OVERRIDES = [f"{k}={v}" for k, v in ON_CLI.items() if not k.startswith("-")]


def record_corpus(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Record runs through the real record path (``confman.compose`` + ``record_run``): one with
    a validated model (its ``SecretStr`` field set by an override), one that fails, one with a
    different password (so diffs have secret changes to show)."""
    from omegaconf import OmegaConf

    argv = ["train.py", *OVERRIDES, "--password", ON_CLI["--password"]]
    monkeypatch.setattr(sys, "argv", argv)
    conf = project / "conf"
    composed = confman.compose("train", OVERRIDES, config_dir=conf, cache=False)
    schema = importlib.import_module(_schema_module(project)).Train
    model = schema.model_validate(OmegaConf.to_container(composed.config, resolve=True))
    with confman.record_run(composed, model=model):
        pass
    with pytest.raises(RuntimeError), confman.record_run(composed):
        raise RuntimeError("the training failed")
    extra = confman.compose("extra", ["db.password=" + ELSEWHERE[3]], config_dir=conf, cache=False)
    with confman.record_run(extra):
        pass


def _schema_module(project: Path) -> str:
    return next(p.stem for p in project.glob("corpus_schema_*.py"))


def _leaks(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [s for s in SECRETS if s.encode() in data]


def _store_bytes(url: str) -> bytes:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    import psycopg

    out = []
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        ]
        for table in tables:
            out.extend(str(row[0]) for row in conn.execute(f"SELECT t::text FROM {table} t"))
    return "\n".join(out).encode()


def _stores(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'store' / 'runs.db'}"]
    pg = os.environ.get("CONFMAN_TEST_PG_URL")
    if pg:
        urls.append(pg)
    elif os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but CONFMAN_TEST_PG_URL is not set: run `source .ci/postgres.sh`")
    return urls


COMMANDS: list[list[str]] = [
    ["runs", "list"],
    ["runs", "list", "--format", "json"],
    ["runs", "list", "--format", "csv"],
    ["runs", "show", "@latest"],
    ["runs", "show", "@latest~1"],
    ["runs", "show", "@latest~2"],
    ["runs", "export", "@latest"],
    ["runs", "export", "@latest~2"],
    ["runs", "replay", "@latest~2", "--check"],
    ["runs", "replay", "@latest~2", "--check", "--format", "json"],
    ["runs", "compare", "--format", "table"],
    ["runs", "compare", "--format", "json"],
    ["runs", "compare", "--format", "csv"],
    ["runs", "compare", "--format", "markdown"],
    ["diff", "@latest", "@latest~2"],
    ["diff", "@latest", "@latest~2", "--format", "json"],
    ["diff", "@latest", "@latest~2", "--format", "markdown"],
    ["diff", "@latest", "@latest~2", "--format", "overrides"],
    ["diff", "@latest", "@latest~2", "--format", "yaml"],
]


def _commands_on_files() -> list[list[str]]:
    side_b = f"db.password={ELSEWHERE[3]} +tracking.api_key={ON_CLI['+tracking.api_key']}"
    return [
        ["diff", "train", "extra"],
        [
            "diff",
            "train",
            "train",
            "--a",
            "db.url=postgresql://bob:S3CRETdiff23@h/x",
            "--b",
            side_b,
        ],
        *(
            ["diff", "train", "extra", "--format", fmt]
            for fmt in ("json", "markdown", "overrides", "yaml")
        ),
        ["diff", "conf/train.yaml", "conf/extra.yaml"],
        ["explain", "db", "train"],
        ["explain", "db.password", "train", f"db.password={ON_CLI['db.password']}"],
        ["explain", "credentials", "train", "--format", "json"],
        ["explain", "tokens", "train"],
        ["explain", "notes", "train"],
        ["validate", "train", f"db.password={ELSEWHERE[1]}xxxxxxxxxxxxxxxxxxxx"],
        ["validate", "train", f"db.password={ELSEWHERE[1]}xxxxxxxxxxxxxxxxxxxx", "-f", "github"],
        ["validate", "train", f"db.password={ELSEWHERE[1]}xxxxxxxxxxxxxxxxxxxx", "-f", "json"],
        ["compose", "train", f"~db.password={ELSEWHERE[2]}"],
        ["compose", "train", f"db.nope.password={ELSEWHERE[2]}"],
        ["compose", "train", f"+db.password={ELSEWHERE[2]}"],
        ["lint", "--output-format", "full"],
        ["lint", "--output-format", "concise"],
        ["lint", "--output-format", "json"],
        ["lint", "--output-format", "github"],
        ["lint", "--output-format", "sarif"],
        ["runs", "list", "--store", f"postgresql://u:{ELSEWHERE[0]}@127.0.0.1:9/nodb"],
        ["diff", "@latest", "@latest~1", "--store", f"postgresql://u:{ELSEWHERE[0]}@127.0.0.1:9/x"],
    ]


def _run_cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    text = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        text += "".join(traceback.format_exception(result.exception))
    return result.exit_code, text


def test_no_secret_in_clear_anywhere(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found: dict[str, list[str]] = {}
    checked = 0
    for url in _stores(tmp_path):
        if url.startswith("postgresql"):
            url = _fresh_pg_schema(url, monkeypatch)
        monkeypatch.setenv("CONFMAN_STORE", url)
        record_corpus(project, monkeypatch)
        leaks = _leaks(_store_bytes(url))
        checked += 1
        if leaks:
            found[f"store {url.split('://')[0]}"] = leaks
        for args in COMMANDS + _commands_on_files():
            code, text = _run_cli(args)
            checked += 1
            assert code in (0, 1, 2), (args, code, text[-2000:])
            if _leaks(text):
                found[" ".join(args)] = _leaks(text)
    assert not found, found
    assert checked > 40


def test_debug_tracebacks_hold_no_secret(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of the corpus again with ``CONFMAN_DEBUG=1``: the tracebacks it prints
    (messages, chained Hydra/OmegaConf/pydantic errors, source lines) hold markers only."""
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{tmp_path / 'store' / 'runs.db'}")
    record_corpus(project, monkeypatch)
    monkeypatch.setenv("CONFMAN_DEBUG", "1")
    found, tracebacks = {}, 0
    for args in COMMANDS + _commands_on_files():
        _code, text = _run_cli(args)
        tracebacks += "Traceback (most recent call last)" in text
        if _leaks(text):
            found[" ".join(args)] = _leaks(text)
    assert not found, found
    assert tracebacks >= 5  # the compose, store URL and diff errors each printed one


def test_the_corpus_is_really_recorded_and_shown(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zero above means something: the runs are there, markers are shown, public values are
    not hidden, and each command ran (a command that fails early would print nothing secret)."""
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{tmp_path / 'runs.db'}")
    record_corpus(project, monkeypatch)
    code, shown = _run_cli(["runs", "show", "@latest~2"])
    assert code == 0 and "<secret:" in shown
    code, exported = _run_cli(["runs", "export", "@latest~2"])
    assert code == 0
    for public in ("gpt2", "localhost", "postgresql://alice:<secret:", "db.password=<secret:"):
        assert public in exported, public
    assert "--password" in exported and "+tracking.api_key=<secret:" in exported
    assert "credentials:\\n+  github: <secret:" in exported, exported[exported.index('"patch"') :][
        :900
    ]
    code, text = _run_cli(["runs", "replay", "@latest~2", "--check", "--format", "json"])
    assert '"service.handle"' not in text  # a SecretStr compares as a marker: no false drift
    code, text = _run_cli(["validate", "train", f"db.password={ELSEWHERE[1]}xxxxxxxxxxxxxxxxxxxx"])
    assert code == 1 and "db.password" in text and "<secret:" in text
    code, text = _run_cli(["compose", "train", f"~db.password={ELSEWHERE[2]}"])
    assert code == 2 and "its value is <secret:" in text
    code, text = _run_cli(["lint", "--output-format", "full"])
    assert "CM401" in text and "password: <secret:" in text
    code, text = _run_cli(
        ["runs", "list", "--store", f"postgresql://u:{ELSEWHERE[0]}@127.0.0.1:9/x"]
    )
    assert code == 2 and "postgresql://u:<secret:" in text
    code, text = _run_cli(["explain", "tokenizer", "train"])
    assert "gpt2" in text and "[UNK]" in text


def _fresh_pg_schema(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


MAIN_APP = """
import logging
import sys
import confman
from {module} import Train

log = logging.getLogger(__name__)

@confman.main(config_name="train", config_path="conf", schema=Train)
def run(cfg):
    log.info("connecting to %s as %s", cfg.db.url, cfg.db.password)
    if cfg.lr > 1:
        raise ValueError("diverged")
    print("LR", cfg.lr)

if __name__ == "__main__":
    run()
"""


def _run_main(
    project: Path, *args: str, script: str = "main_app.py"
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(project), str(Path(__file__).parents[1])])
    return subprocess.run(
        [sys.executable, script, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_confman_main_records_and_reports_without_secrets(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``@confman.main`` in a real process: a good run, a failing training, a schema failure.
    Hydra's own "Error executing job with overrides" line and pydantic's error are redacted."""
    (project / "main_app.py").write_text(MAIN_APP.format(module=_schema_module(project)))
    url = f"sqlite:///{tmp_path / 'main' / 'runs.db'}"
    monkeypatch.setenv("CONFMAN_STORE", url)  # the subprocess inherits it
    cli = [f"{k}={v}" for k, v in ON_CLI.items() if not k.startswith("-")]
    ok = _run_main(project, *cli)
    assert ok.returncode == 0, ok.stderr
    failed = _run_main(project, *cli, "lr=5")
    assert failed.returncode == 1 and "diverged" in failed.stderr
    invalid = _run_main(project, *cli, f"db.password={ELSEWHERE[1]}xxxxxxxxxxxxxxxxxxxx")
    assert invalid.returncode == 1 and "db.password" in invalid.stderr
    assert "<secret:" in invalid.stderr
    leaks = {
        name: _leaks(proc.stdout + proc.stderr)
        for name, proc in (("ok", ok), ("failed", failed), ("invalid", invalid))
    }
    leaks["store"] = _leaks(_store_bytes(url))
    assert not any(leaks.values()), leaks
    code, text = _run_cli(["runs", "list", "--store", url])
    assert code == 0 and text.count("train") >= 2 and not _leaks(text)


def test_a_store_url_with_a_password_in_pyproject(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lint's CM000 and every runs command name the store they cannot reach: never its password."""
    pyproject = project / "pyproject.toml"
    url = f"postgresql://u:{ELSEWHERE[0]}@127.0.0.1:9/x"
    pyproject.write_text(
        pyproject.read_text().replace("[tool.confman]\n", f'[tool.confman]\nstore = "{url}"\n', 1)
    )
    monkeypatch.delenv("CONFMAN_STORE")
    for args in (
        ["lint"],
        ["lint", "--output-format", "json"],
        ["runs", "list"],
        ["diff", "@latest", "train"],
    ):
        _code, text = _run_cli(args)
        assert "postgresql://u:<secret:" in text, (args, text)
        assert not _leaks(text), (args, _leaks(text))


PLAIN_APP = """
import logging
import hydra

log = logging.getLogger(__name__)

@hydra.main(config_name="train", config_path="conf", version_base="1.3")
def run(cfg):
    log.info("connecting to %s as %s", cfg.db.url, cfg.db.password)
    print("LR", cfg.lr)

if __name__ == "__main__":
    run()
"""

CALLBACK = "+hydra.callbacks.confman._target_=confman.hydra.RecordRun"
SWEEP = ["-m", "lr=0.1,0.2", f"db.password={ON_CLI['db.password']},{IN_SWEEP[0]}"]


@pytest.mark.parametrize(
    "args",
    [
        ["main_app.py"],
        ["main_app.py", *SWEEP],
        ["main_app.py", *SWEEP, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
        ["plain_app.py", CALLBACK],
        ["plain_app.py", CALLBACK, *SWEEP],
    ],
    ids=["main", "main-multirun", "main-joblib", "callback", "callback-multirun"],
)
def test_hydra_output_files_hold_no_secret(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Under ``@confman.main`` and the ``RecordRun`` callback, every file of the run's output
    folders (``.hydra/config.yaml``, ``hydra.yaml``, ``overrides.yaml``, the job log, a sweep's
    ``multirun.yaml``) holds markers, not secrets; the files stay YAML that Hydra reads back."""
    from omegaconf import OmegaConf

    (project / "main_app.py").write_text(MAIN_APP.format(module=_schema_module(project)))
    (project / "plain_app.py").write_text(PLAIN_APP)
    monkeypatch.setenv("CONFMAN_STORE", f"sqlite:///{tmp_path / 'runs.db'}")
    cli = [f"{k}={v}" for k, v in ON_CLI.items() if not k.startswith("-")]
    if "-m" in args:  # the sweep sets db.password itself
        cli = [o for o in cli if not o.startswith("db.password=")]
    script, *rest = args
    flags = ["-m"] if "-m" in rest else []  # Hydra's flags go before the overrides
    proc = _run_main(project, *flags, *cli, *(a for a in rest if a != "-m"), script=script)
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = [
        p for top in ("outputs", "multirun") for p in (project / top).rglob("*") if p.is_file()
    ]
    names = {p.name for p in files}
    assert {"config.yaml", "hydra.yaml", "overrides.yaml", f"{script[:-3]}.log"} <= names
    assert ("multirun.yaml" in names) == ("-m" in args)
    leaks = {str(p.relative_to(project)): _leaks(p.read_bytes()) for p in files}
    leaks["stdout+stderr"] = _leaks(proc.stdout + proc.stderr)
    assert not {k: v for k, v in leaks.items() if v}, leaks
    for config_file in (p for p in files if p.name == "config.yaml"):
        config = OmegaConf.load(config_file)
        assert config.db.password.startswith("<secret:") and config.tokenizer.name == "gpt2"
        assert str(config.service.handle).startswith("<secret:")  # a SecretStr field
        assert config.db.url.startswith("postgresql://alice:<secret:")
        overrides = OmegaConf.load(config_file.with_name("overrides.yaml"))
        assert any(str(o).startswith("db.password=<secret:") for o in overrides)
        log = next(config_file.parent.parent.glob("*.log")).read_text()
        assert "connecting to postgresql://alice:<secret:" in log and " as <secret:" in log
