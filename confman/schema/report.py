"""``confman validate`` as a library call: configs x sweep points, and every option file.

A sweep point that does not compose is a failed point (its error is the issue); bad input that
stops everything (a broken binding, an override Hydra cannot parse) raises ``ConfmanError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from confman.compose.plain import Composer
from confman.confine import ALLOW_HINT, confinement
from confman.errors import ConfinementError, ConfmanError
from confman.schema.api import Validated, validate_composed, validate_option_file
from confman.schema.binding import Bindings
from confman.schema.sweep import expand
from confman.schema.validate import ABSENT, Issue
from confman.settings import Settings

__all__ = ["Report", "run_validate"]


@dataclass
class Report:
    """What ``confman validate`` found.

    Attributes:
        results: one entry per validated config point or option file.
        noop: overrides that set the value already there, in every point they appear in.
    """

    results: list[Validated] = field(default_factory=list)
    noop: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Validated]:
        return [r for r in self.results if not r.ok]

    @property
    def not_checked(self) -> dict[tuple[str, str], list[tuple[str, Issue]]]:
        """Values no check could judge, by why (``resolver 'multiply' is not registered``) and
        what to do: each cause is said once, whatever the number of values and configs."""
        out: dict[tuple[str, str], list[tuple[str, Issue]]] = {}
        for result in self.results:
            for issue in result.unchecked:
                key = (issue.message, issue.hint or "")
                out.setdefault(key, []).append((result.target, issue))
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "points": len(self.results),
            "failed": len(self.failures),
            "noop_overrides": self.noop,
            "not_checked": [
                {
                    "message": f"not checked: {message}",
                    "hint": hint,
                    "values": [
                        {"target": target, "path": i.path, "location": i.location}
                        for target, i in values
                    ],
                }
                for (message, hint), values in self.not_checked.items()
            ],
            "results": [
                {"target": r.target, "ok": r.ok, "issues": [i.to_json() for i in r.issues]}
                for r in self.results
            ],
        }


def run_validate(
    settings: Settings,
    bindings: Bindings,
    names: list[str],
    overrides: list[str],
    *,
    all_options: bool = False,
    allow_missing: bool = False,
    strict: bool = False,
) -> Report:
    """Validate ``names`` (default: every bound primary config) at every sweep point, and with
    ``all_options`` every option file of every bound group on its own. ``allow_missing``: a
    ``???`` value (or an interpolation of one) is no issue anywhere (the code fills it at run
    time). A value made by a resolver not registered here, or reading an environment variable
    not set here, is noted in ``not_checked``; with ``strict`` it is an issue."""
    report = Report()
    names = names or sorted(bindings.configs)
    # one composer for every point: points that only choose group options share its loaded
    # configs and take the plain path; any other point is composed by ``confman.compose``
    composer = Composer(settings.config_dir, settings.version_base, hydra_warnings=True)
    if names:
        points = expand(overrides, settings.config_dir) if overrides else [[]]
        noop_count: dict[str, int] = {}
        seen_count: dict[str, int] = {}
        for name in names:
            binding = bindings.configs.get(name)
            without: dict[tuple[str, ...], Any] = {}  # composes minus one group override
            for point in points:
                result = _validate_point(
                    composer, bindings, name, point, binding, allow_missing, strict
                )
                report.results.append(result)
                if result.composed is None:
                    continue
                for override in point:
                    seen_count[override] = seen_count.get(override, 0) + 1
                    rest = tuple(o for o in point if o != override)
                    if override.split("=")[0] in result.composed.choices and rest not in without:
                        without[rest] = _try_compose(composer, name, rest)
                    if _is_noop(result, override, without.get(rest)):
                        noop_count[override] = noop_count.get(override, 0) + 1
        report.noop = [o for o, n in noop_count.items() if n == seen_count[o]]
    if all_options:
        confined = confinement(settings)
        for key in sorted(bindings.groups):
            folder = settings.config_dir / key
            for path in sorted(folder.glob("*.yaml")):
                binding = bindings.groups[key]
                if (real := confined.outside(path)) is not None:
                    raise ConfinementError(
                        f"{path.relative_to(settings.config_dir).as_posix()} is a link to {real}, "
                        f"outside the project {confined.root}: not read",
                        hint=ALLOW_HINT,
                    )
                report.results.append(
                    validate_option_file(
                        settings.config_dir, binding, path, allow_missing=allow_missing
                    )
                )
    return report


def _validate_point(
    composer: Composer,
    bindings: Bindings,
    name: str,
    point: list[str],
    binding: Any,
    allow_missing: bool,
    strict: bool,
) -> Validated:
    try:
        composed = composer.compose(name, point)
    except ConfmanError as exc:
        target = " ".join([name, *point])
        return Validated(target, issues=[Issue("", str(exc), ABSENT, "cannot compose")])
    schema = binding.schema if binding is not None else None
    return validate_composed(composed, schema, bindings, allow_missing=allow_missing, strict=strict)


def _try_compose(composer: Composer, name: str, overrides: tuple[str, ...]) -> Any:
    """The point composed without one group override: what that group would be otherwise."""
    try:
        return composer.compose(name, overrides)
    except ConfmanError:
        return None


def _is_noop(result: Validated, override: str, base: Any) -> bool:
    """True when ``override`` set the value that was already there."""
    composed = result.composed
    assert composed is not None
    key = override.partition("=")[0].lstrip("+")
    if override.startswith("~"):
        return False
    choice = composed.choices.get(key)
    if choice is not None:
        return (
            base is not None and key in base.choices and base.choices[key].option == choice.option
        )
    history = composed.provenance.get(key)
    if not history or len(history) < 2 or history[-1].kind != "override":
        return False
    return bool(history[-2].value == history[-1].value)
