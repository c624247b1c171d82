"""verl plugin entry point (``verl.plugins`` group): registers patarm's reward managers.

``patarm_par`` (the reward loop, ``verl.experimental.reward_loop``) is always registered.
``patarm_pair`` sits on verl's legacy batch reward managers (``verl.workers.reward_manager``),
which newer verl may drop: it is registered only when that package imports, so its absence never
takes ``patarm_par`` (or ``import verl``, which loads this plugin) down with it.
"""

import importlib.util
import logging

from patarm.adapters.verl import _reward_loop

__all__ = ["LEGACY_MODULE", "_reward_loop", "legacy_registered"]

logger = logging.getLogger("patarm.adapters.verl")

LEGACY_MODULE = "verl.workers.reward_manager"


def _legacy_available() -> bool:
    try:
        return importlib.util.find_spec(LEGACY_MODULE) is not None
    except ImportError:  # a parent package that is missing or fails to import
        return False


def _register_legacy() -> bool:
    """Import (and so register) ``patarm_pair`` when verl still has its legacy managers."""
    if not _legacy_available():
        logger.debug("%s is not in this verl: patarm_pair is not registered", LEGACY_MODULE)
        return False
    try:
        from patarm.adapters.verl import _legacy  # noqa: F401  (registers patarm_pair)
    except ImportError as exc:
        logger.warning("patarm_pair not registered: verl's legacy reward managers do not import (%s)", exc)
        return False
    return True


legacy_registered = _register_legacy()
