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


def test_the_line_is_cleared_once_a_forked_child_may_have_drawn_it() -> None:
    """Lint's forked child reports through a copy of the reporter: the parent cannot see that
    it drew, so past the delay it erases the line all the same, and before it writes nothing."""
    early = _Tty()
    LineProgress("composing", early).clear()
    assert early.getvalue() == ""
    late = _Tty()
    LineProgress("composing", late, delay=0).clear()
    assert late.getvalue() == "\r\033[K"
