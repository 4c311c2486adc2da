"""Scrubbing free text a run prints or logs: the patterns, plus the secret values it knows.

Patterns (``key=value`` under a secret name, credential shapes, URL passwords) catch what is
written in a recognisable form. Messages from libraries often quote a value without its key
(pydantic's ``input_value='...'``, OmegaConf's ``Value '...' could not be converted``, a user's
``log.info("connecting with %s", password)``), so a ``Scrubber`` also knows the secret values
themselves: every value the secret rules hide in the job's config, and the values an exception
carries for a secret key. Each is replaced by its marker wherever it appears.

Used by ``@confman.main`` and ``confman.hydra.RecordRun`` for stderr and Hydra's job log, and by
the CLI and the recorder for ``CONFMAN_DEBUG=1`` tracebacks.
"""

from __future__ import annotations

import io
import logging
import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from confman.secrets.markers import MARKER, error_key, existing_key, marker
from confman.secrets.redact import redact, redact_text
from confman.secrets.rules import is_placeholder, is_secret_path, last_rules

__all__ = ["RedactingStream", "Scrubber", "format_exception", "redacted_logs", "secret_values"]

#: shorter values are left to the patterns: replacing ``"ab"`` everywhere would garble the text
MIN_VALUE_LENGTH = 4


def secret_values(data: Any, secret_paths: Iterable[str] = ()) -> set[str]:
    """The clear text of every value the secret rules hide in ``data`` (plain nested data).

    A string of which only a part is secret (a URL with a password) is left to the patterns.
    """
    found: set[str] = set()
    _collect(data, redact(data, secret_paths=secret_paths, key=error_key()), found)
    return found


def _collect(data: Any, hidden: Any, found: set[str]) -> None:
    if isinstance(data, dict) and isinstance(hidden, dict):
        for name, value in data.items():
            _collect(value, hidden.get(name), found)
    elif isinstance(data, list | tuple) and isinstance(hidden, list):
        for value, shown in zip(data, hidden, strict=False):
            _collect(value, shown, found)
    elif (
        not isinstance(data, dict | list | tuple)
        and not is_placeholder(data)
        and isinstance(hidden, str)
        and MARKER.fullmatch(hidden)
    ):
        found.add(str(getattr(data, "get_secret_value", lambda: data)()))


def _exception_values(exc: BaseException, secret_paths: tuple[str, ...]) -> set[str]:
    """Values an exception chain carries for secret keys (pydantic and OmegaConf errors)."""
    from omegaconf.errors import OmegaConfBaseException
    from pydantic import ValidationError

    def secret(path: str) -> bool:
        return path in secret_paths or is_secret_path(path, last_rules())

    found: set[str] = set()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ValidationError):
            for err in current.errors(include_url=False):
                path = ".".join(str(part) for part in err["loc"])
                if secret(path) and not isinstance(err["input"], dict | list):
                    found.add(str(err["input"]))
        elif isinstance(current, OmegaConfBaseException):
            key = getattr(current, "full_key", None)
            value = getattr(current, "value", None)
            if key and value is not None and secret(str(key)):
                found.add(str(value))
        current = current.__cause__ or current.__context__
    return found


class Scrubber:
    """Text with secrets replaced: ``redact_error``'s patterns, then the known secret values.

    Never loads settings or creates the key file (the rules and key ``redact_error`` uses): a
    scrubber sits in front of stderr, logs and tracebacks.
    """

    def __init__(self, values: Iterable[str] = (), secret_paths: Iterable[str] = ()) -> None:
        self.secret_paths = tuple(secret_paths)
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._key: bytes | None = None
        self.learn(values)

    def learn(self, values: Iterable[str]) -> None:
        """Add secret values to replace wherever they appear."""
        new = {v for v in values if len(v) >= MIN_VALUE_LENGTH and not MARKER.fullmatch(v)}
        if new - self._values:
            self._values |= new
            alternatives = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<![\w-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])"
            )

    def add_paths(self, secret_paths: Iterable[str]) -> None:
        """Add dotted paths that are secret whatever their name."""
        self.secret_paths = tuple(dict.fromkeys((*self.secret_paths, *secret_paths)))

    def learn_config(self, data: Any) -> None:
        """Learn every secret value of a job's config (plain nested data)."""
        self.learn(secret_values(data, self.secret_paths))

    def __getstate__(self) -> dict[str, Any]:
        """Launchers pickle a scrubber with each job (into ``.submitit/`` for SLURM): the marker
        key and the secret values it learnt stay in this process; the job learns its own."""
        return {"secret_paths": self.secret_paths, "_values": set(), "_pattern": None, "_key": None}

    def _marker_key(self) -> bytes:
        """``error_key()``, kept once it is the user's key (it cannot change after that)."""
        if self._key is None:
            self._key = existing_key()
        return self._key or error_key()

    def __call__(self, text: str) -> str:
        if not text:
            return text
        key = self._marker_key()
        text = redact_text(text, last_rules(), key, secret_paths=self.secret_paths)
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: marker(m.group(0), key), text)
        return text

    def exception(self, exc: BaseException) -> str:
        """``exc``'s formatted traceback, scrubbed (the values it carries for secret keys too)."""
        self.learn(_exception_values(exc, self.secret_paths))
        return self("".join(traceback.format_exception(exc)))


def format_exception(exc: BaseException, secret_paths: Iterable[str] = ()) -> str:
    """A traceback for ``CONFMAN_DEBUG=1``: messages and source lines with secrets replaced."""
    return Scrubber(secret_paths=secret_paths).exception(exc)


class RedactingStream(io.TextIOBase):
    """A text stream that writes to ``inner`` what ``scrub`` makes of each write."""

    def __init__(self, inner: TextIO, scrub: Callable[[str], str]) -> None:
        self._inner = inner
        self._scrub = scrub

    def write(self, text: str) -> int:
        self._inner.write(self._scrub(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "encoding", "utf-8")


@contextmanager
def redacted_logs(scrub: Scrubber) -> Iterator[Scrubber]:
    """Every log record created inside the block reaches its handlers scrubbed.

    A log record factory (``logging.setLogRecordFactory``, the standard hook) rather than a
    filter: Hydra's ``job_logging`` replaces the handlers for each job, a factory sees every
    record of every logger whatever the handlers are. The previous factory is restored after.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "confman_scrubber", None) is not None:  # already scrubbing: add to it
        outer: Scrubber = previous.confman_scrubber  # type: ignore[attr-defined]
        outer.add_paths(scrub.secret_paths)
        outer.learn(scrub._values)
        yield outer
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: left for logging to report as it would
            return record
        shown = scrub(message)
        if shown != message:
            record.msg, record.args = shown, ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub.exception(record.exc_info[1]).rstrip("\n")
        return record

    factory.confman_scrubber = scrub  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
    try:
        yield scrub
    finally:
        logging.setLogRecordFactory(previous)
