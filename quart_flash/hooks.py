"""``bp.hooks``: Dash's hooks API for one app only.

``dash.hooks`` is process-wide: a hook registered there changes every Dash
app in the process, and quart-flash applies those to every FlashBlueprint as
Dash does.  ``bp.hooks`` has the same decorators (``layout``, ``index``,
``route``, ``callback``, ``clientside_callback``, ``error``, ``custom_data``,
``setup``, ``script``, ``stylesheet``, ``devtool``) but changes only ``bp``.

Routes must be added before the blueprint is registered on a Quart app, as
with any blueprint route.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable

from dash._hooks import HooksManager, _Hooks

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint


class _ErrorHooks:
    """Runs this app's error hooks after its ``on_error`` (as Dash does globally)."""

    def __init__(self, original: Callable[[Exception], Any] | None, hooks: AppHooks) -> None:
        self.original = original
        self.hooks = hooks

    def __call__(self, err: Exception) -> Any:
        result = self.original(err) if self.original else None
        hook_result = None
        for hook in _Hooks.get_hooks(self.hooks, "error"):
            hook_result = hook(err)
        return result or hook_result


class AppHooks(_Hooks):
    """Dash's hook registry, scoped to one FlashBlueprint.

    It is also what the app's Dash object consults (``dash_app._hooks``):
    the process-wide ``dash.hooks`` first, then this app's own.
    """

    def __init__(self, blueprint: FlashBlueprint) -> None:
        super().__init__()
        self._blueprint = blueprint

    # -- registering: each kind takes effect on this app at once -------------------
    def add_hook(
        self,
        hook: str,
        func: Callable[..., Any],
        priority: int | None = None,
        final: bool = False,
        data: Any = None,
    ) -> None:
        super().add_hook(hook, func, priority=priority, final=final, data=data)
        dash_app = self._blueprint.dash_app
        if hook == "setup":
            func(dash_app)
        elif hook == "callback":
            args, kwargs = data
            dash_app.callback(*args, **kwargs)(func)
        elif hook == "routes":
            add_hook_route(self._blueprint, data["name"], data["methods"], func)
        elif hook == "error" and not isinstance(dash_app._on_error, _ErrorHooks):
            dash_app._on_error = _ErrorHooks(dash_app._on_error, self)

    def clientside_callback(self, clientside_function: Any, *args: Any, **kwargs: Any) -> None:
        self._blueprint.dash_app.clientside_callback(clientside_function, *args, **kwargs)

    # -- what Dash's own code reads through ``app._hooks`` ---------------------------
    def get_hooks(self, hook: str) -> list[Any]:
        return list(HooksManager.get_hooks(hook)) + super().get_hooks(hook)

    @property
    def hooks(self) -> SimpleNamespace:
        shared = HooksManager.hooks
        return SimpleNamespace(
            _js_dist=shared._js_dist + self._js_dist,
            _css_dist=shared._css_dist + self._css_dist,
        )


def add_hook_route(
    blueprint: FlashBlueprint, name: str, methods: Any, func: Callable[..., Any]
) -> None:
    """A ``hooks.route`` view under the app's prefix; sync views run in the pool."""

    async def view(**kwargs: Any) -> Any:
        return await blueprint.call_user_function(functools.partial(func, **kwargs))

    blueprint.add_url_rule(
        f"/{name.lstrip('/')}",
        endpoint=f"dash_hook_{name.strip('/').replace('/', '_').replace('.', '_')}",
        view_func=view,
        methods=list(methods),
    )


def add_global_hook_routes(blueprint: FlashBlueprint) -> None:
    """Routes registered with the process-wide ``dash.hooks.route``."""
    for hook in HooksManager.get_hooks("routes"):
        add_hook_route(blueprint, hook.data["name"], hook.data["methods"], hook.func)
