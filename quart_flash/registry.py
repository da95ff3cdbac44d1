"""Which Dash app owns process-wide Dash state.

Dash keeps some state per process: callbacks registered with the
module-level ``dash.callback`` (``GLOBAL_CALLBACK_*``), the app that
``dash.get_app()`` returns, and the config behind ``dash.get_relative_path``.
With one Dash app per process that is fine; with many FlashBlueprints in one
process each must see its own.

**The rule for module-level callbacks** (``dash.callback`` and
``quart_flash.callback``): they belong to the FlashBlueprint that was created
most recently when they were registered.  Pending callbacks are claimed when
the next FlashBlueprint is created, when a FlashBlueprint is registered on a
Quart app, and when the app starts serving.  So::

    sales = FlashBlueprint("sales", __name__)
    import sales_callbacks          # uses @callback -> sales
    ops = FlashBlueprint("ops", __name__)
    import ops_callbacks            # uses @callback -> ops

Callbacks registered before any FlashBlueprint exists go to the first one.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from dash import _callback, _get_app, _get_paths, _pages
from dash.exceptions import DuplicateCallback

if TYPE_CHECKING:
    from .dash_app import MountedDash

_current: weakref.ReferenceType[MountedDash] | None = None


def claim_pending(dash_app: MountedDash) -> None:
    """Move callbacks registered with module-level ``callback`` into ``dash_app``."""
    pending = _callback.GLOBAL_CALLBACK_MAP
    for callback_id in list(pending):
        if callback_id in dash_app.callback_map:
            raise DuplicateCallback(
                f"The callback `{callback_id}` provided with `dash.callback` was already "
                "assigned with `callback` on this app."
            )
        dash_app.callback_map[callback_id] = pending.pop(callback_id)
    dash_app._callback_list.extend(_callback.GLOBAL_CALLBACK_LIST)  # pylint: disable=protected-access
    _callback.GLOBAL_CALLBACK_LIST.clear()
    dash_app._inline_scripts.extend(_callback.GLOBAL_INLINE_SCRIPTS)  # pylint: disable=protected-access
    _callback.GLOBAL_INLINE_SCRIPTS.clear()


def current_app_under_setup() -> MountedDash | None:
    return _current() if _current is not None else None


def begin_setup(dash_app: MountedDash) -> None:
    """Make ``dash_app`` the app that new module-level callbacks go to."""
    global _current  # pylint: disable=global-statement
    previous = current_app_under_setup()
    if previous is not None:
        claim_pending(previous)
    _current = weakref.ref(dash_app)
    _get_app.APP = dash_app
    for module in (_get_paths, _pages):
        module.CONFIG = _ConfigProxy(dash_app.config)


def claim_for_current() -> None:
    dash_app = current_app_under_setup()
    if dash_app is not None:
        claim_pending(dash_app)


class _ConfigProxy:
    """Dash's module-level path config, resolved per request.

    ``dash.get_relative_path`` and friends read ``_get_paths.CONFIG``; inside
    a request (or callback) served by a FlashBlueprint this answers with that
    app's config, elsewhere with the config of the FlashBlueprint created last.
    """

    def __init__(self, fallback: Any) -> None:
        object.__setattr__(self, "_fallback", fallback)

    def _target(self) -> Any:
        app = _get_app.app_context.get(None)
        config = getattr(app, "config", None)
        return config if config is not None else self._fallback

    def __getattr__(self, key: str) -> Any:
        return getattr(self._target(), key)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._target().get(key, default)
