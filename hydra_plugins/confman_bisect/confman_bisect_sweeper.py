"""``hydra/sweeper=confman_bisect``: the sweeper ``confman bisect --launcher`` runs the app with.

Hydra imports every module of the ``hydra_plugins`` namespace when it scans for plugins (in
every Hydra app of the environment), so this one stays thin: the config entry and a sweeper
that hands the work to :mod:`confman.bisect.launcher`, imported only when the sweeper is used.
No ``from __future__ import annotations``: Hydra runs this module before it is in
``sys.modules``, where ``dataclass`` would look string annotations up, and OmegaConf reads the
config's field types.
"""

from dataclasses import dataclass
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from hydra.plugins.sweeper import Sweeper


@dataclass
class ConfmanBisectSweeperConf:
    """``hydra.sweeper.plan``: the plan file ``confman bisect --launcher`` writes."""

    _target_: str = "hydra_plugins.confman_bisect.confman_bisect_sweeper.ConfmanBisectSweeper"
    plan: Optional[str] = None  # noqa: UP045 (OmegaConf reads the type)


ConfigStore.instance().store(
    group="hydra/sweeper", name="confman_bisect", node=ConfmanBisectSweeperConf, provider="confman"
)


class ConfmanBisectSweeper(Sweeper):
    """Delta debugging over the plan's changes, each batch of probes one ``launch`` call of
    the app's configured launcher."""

    def __init__(self, plan: Optional[str] = None) -> None:  # noqa: UP045
        super().__init__()
        self.plan = plan
        self.hydra_context: Any = None
        self.config: Any = None
        self.launcher: Any = None

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
        from hydra.core.plugins import Plugins

        from confman.bisect.launcher import ExitCodeTask

        self.hydra_context, self.config = hydra_context, config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=ExitCodeTask(task_function), config=config
        )

    def sweep(self, arguments: list[str]) -> Any:
        from confman.bisect.launcher import sweep

        return sweep(self, self.plan, arguments)
