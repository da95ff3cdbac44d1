"""``Flash``: the drop-in for ``dash.Dash``.

``from quart_flash import Flash as Dash`` (or change ``Dash(`` to ``Flash(``)
and an existing Dash app runs on Quart: the same constructor arguments,
``app.layout``, ``app.callback``, ``app.run()``.  Underneath it is one
:class:`FlashBlueprint` registered at ``url_base_pathname`` on a Quart app
that ``Flash`` creates or is given; ``app.server`` is that Quart app, and
the ``Flash`` object is itself an ASGI application.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from quart import Quart

from .blueprint import FlashBlueprint

_PREFIX_KWARGS = ("url_base_pathname", "routes_pathname_prefix")


def _free_blueprint_name(server: Quart) -> str:
    name, number = "dash", 1
    while name in server.blueprints:
        number += 1
        name = f"dash_{number}"
    return name


class Flash:
    """A Dash app on its own Quart server.

    :param name: as for ``dash.Dash`` (usually ``__name__``).
    :param server: ``True`` to create a Quart app, a Quart app to mount on,
        or ``False`` to mount later with :meth:`init_app` (app factories).
    :param dash_kwargs: the keyword arguments of ``dash.Dash``;
        ``url_base_pathname`` / ``routes_pathname_prefix`` choose the mount point.
    """

    def __init__(
        self, name: str | None = None, server: bool | Quart = True, **dash_kwargs: Any
    ) -> None:
        import_name = name or "__main__"
        if server is True:
            server = Quart(import_name)
        if server is not False and not isinstance(server, Quart):
            raise TypeError("Flash(server=...) takes True, False or a quart.Quart instance")
        dash_kwargs.pop("backend", None)
        prefixes = [dash_kwargs.pop(key) for key in _PREFIX_KWARGS if dash_kwargs.get(key)]
        url_prefix = prefixes[0] if prefixes else "/"
        blueprint = FlashBlueprint("dash", import_name, url_prefix=url_prefix, **dash_kwargs)
        object.__setattr__(self, "blueprint", blueprint)
        object.__setattr__(self, "server", None)
        if server:
            self.init_app(server)

    server: Quart | None
    blueprint: FlashBlueprint

    def init_app(self, server: Quart) -> None:
        """Mount the app on ``server`` (for ``Flash(server=False)``)."""
        object.__setattr__(self, "server", server)
        server.register_blueprint(self.blueprint, name=_free_blueprint_name(server))

    # Everything else a Dash user reaches for lives on the blueprint (layout,
    # callback, title, ...) or, beyond that, on the stock Dash object.
    def __getattr__(self, key: str) -> Any:
        blueprint = self.blueprint
        if hasattr(type(blueprint), key) or key in vars(blueprint):
            return getattr(blueprint, key)
        return getattr(blueprint.dash_app, key)

    def __setattr__(self, key: str, value: Any) -> None:
        target: Any = self.blueprint
        if not hasattr(type(target), key):
            target = target.dash_app
        setattr(target, key, value)

    async def __call__(
        self, scope: Any, receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        assert self.server is not None, "Flash(server=False) needs init_app(server) first"
        await self.server(scope, receive, send)

    def run(
        self,
        host: str | None = None,
        port: int | str | None = None,
        debug: bool | None = None,
        **dev_tools: Any,
    ) -> None:
        """Serve the app with hypercorn, like ``dash.Dash.run``.

        ``debug=True`` turns on Dash's dev tools; with hot reload, Quart's
        reloader restarts the process when Python files change.
        """
        assert self.server is not None, "Flash(server=False) needs init_app(server) first"
        debug = self.blueprint.enable_dev_tools(debug, **dev_tools)
        hot_reload = bool(self.blueprint.dash_app._dev_tools.hot_reload)  # pylint: disable=protected-access
        self.server.run(
            host=host or os.getenv("HOST", "127.0.0.1"),
            port=int(port or os.getenv("PORT") or 8050),
            debug=debug,
            use_reloader=hot_reload,
        )
