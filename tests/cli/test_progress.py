"""The progress line: silent off a terminal and for short work, one redrawn line otherwise."""

from __future__ import annotations

import io

from confman.cli.progress import LineProgress, progress_line


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_shown_off_a_terminal() -> None:
    with progress_line("composing", io.StringIO()) as reporter:
        assert reporter is None


def test_short_work_stays_silent_and_long_work_redraws_one_line() -> None:
    stream = _Tty()
    quiet = LineProgress("composing", stream)  # the default one-second delay
    quiet(1, 10)
    assert stream.getvalue() == ""
    shown = LineProgress("composing", stream, delay=0)
    shown(3, 10)
    assert stream.getvalue() == "\rcomposing 3/10"
    shown.clear()
    assert stream.getvalue().endswith("\r\033[K")
