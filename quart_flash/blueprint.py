"""``FlashBlueprint``: one Dash app as a Quart blueprint.

Register it on a Quart app you own, as often as you have dashboards::

    app.register_blueprint(FlashBlueprint("sales", __name__, url_prefix="/sales"))

Every route, error handler and request hook it adds is scoped to the
blueprint, so the rest of the Quart app sees nothing it did not ask for.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any, Callable

from dash import _get_app, _validate, html, page_container
from dash.development.base_component import ComponentRegistry
from quart import (
    Blueprint,
    Quart,
    Response,
    current_app,
    has_app_context,
    request,
)

from . import channels, collector, executor, lazy, pages, registry, schemas, shutdown, views
from .backend import finish_server_timing, start_server_timing
from .background import install_cancel_callbacks
from .channels import Authorizer
from .dash_app import MountedDash, current_mount
from .dispatch import CallbackDispatcher
from .errors import install_error_handlers
from .hooks import AppHooks, add_global_hook_routes
from .sse import KEEP_ALIVE_SECONDS, sse_view
from .streaming import stream_outputs
from .version import __version__

#: Keyword arguments of ``dash.Dash`` that describe the server, which a
#: blueprint does not choose: the prefixes follow from where it is registered.
_SERVER_KWARGS = ("server", "backend", "url_base_pathname", "routes_pathname_prefix")


def is_async_callable(func: Any) -> bool:
    """True for ``async def`` functions, also behind ``functools.partial``."""
    while isinstance(func, functools.partial):
        func = func.func
    if inspect.iscoroutinefunction(func):
        return True
    # An object whose class defines ``async def __call__``.
    return not inspect.isroutine(func) and inspect.iscoroutinefunction(type(func).__call__)


def _normalise_prefix(prefix: str | None) -> str:
    """``"/sales"``, ``"sales/"`` and ``"/sales/"`` all mean ``"/sales"``."""
    prefix = (prefix or "").strip("/")
    return f"/{prefix}" if prefix else ""


class FlashBlueprint(Blueprint):
    """A Quart blueprint that serves one Dash app.

    :param name: the blueprint's name, unique on the Quart app.
    :param import_name: usually ``__name__``; ``assets_folder`` and
        ``pages_folder`` are found relative to it, as with ``dash.Dash``.
    :param url_prefix: where the app is mounted; ``register_blueprint(...,
        url_prefix=...)`` overrides it.
    :param requests_pathname_prefix: the prefix the *browser* uses, for a
        proxy that rewrites paths without setting the ASGI ``root_path``.
        Normally left out: it follows from ``root_path`` and ``url_prefix``.
    :param max_body_size: the largest callback request body accepted, in
        bytes (``None``: the Quart app's ``MAX_CONTENT_LENGTH``).
    :param channels: serve the channels websocket and load its browser
        script (server push, channel and streaming callbacks); ``False``
        for an app that uses none of them.
    :param channel_origins: origins, besides the app's own host, whose pages
        may open the channels websocket.
    :param openapi: list the app's routes in the Quart app's OpenAPI document
        (with QuartSchema), tagged ``dash:<name>``; hidden by default.
    :param dash_kwargs: any other keyword argument of ``dash.Dash``
        (``title``, ``assets_folder``, ``external_stylesheets``, ...).
    """

    def __init__(
        self,
        name: str,
        import_name: str,
        *,
        url_prefix: str | None = None,
        requests_pathname_prefix: str | None = None,
        max_body_size: int | None = None,
        channels: bool = True,
        channel_origins: Iterable[str] = (),
        openapi: bool = False,
        **dash_kwargs: Any,
    ) -> None:
        for key in _SERVER_KWARGS:
            if key in dash_kwargs:
                raise TypeError(
                    f"FlashBlueprint does not take {key!r}: the URL prefix follows from "
                    "url_prefix and where the blueprint is registered."
                )
        super().__init__(name, import_name, url_prefix=url_prefix)
        self._constructor_prefix = _normalise_prefix(url_prefix)
        self._requests_prefix_override = requests_pathname_prefix
        self._mounts: dict[str, str] = {}
        #: (request.blueprint, root_path) -> browser-facing prefix, per request
        self._prefixes: dict[tuple[str | None, str], str] = {}
        self.logger = logging.getLogger(f"quart_flash.{name}")
        #: ``"prune"`` or ``"raise"`` once dev tools show tracebacks; see
        #: :meth:`BlueprintServer.register_prune_error_handler`.
        self.debug_traceback_mode: str | None = None
        #: Set by dev tools (``debug=True``): add ``Server-Timing`` headers.
        self.server_timing = False
        self._ready = False
        self._setup_lock: asyncio.Lock | None = None
        self.channels_enabled = channels
        self.channel_origins = frozenset(channel_origins)
        #: callback id -> channel its outputs are published to
        self.channel_callbacks: dict[str, str] = {}
        #: callback ids whose partial updates stream to the caller's browser
        self.streaming_callbacks: set[str] = set()
        self.authorize: Authorizer | None = None
        self._apps: list[Quart] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        #: list the JSON routes in the user's OpenAPI document (views.py)
        self.openapi = openapi

        self.dash_app = MountedDash(self, import_name, **dash_kwargs)
        #: Dash's hooks API (``layout``, ``index``, ``route``...) for this app only.
        self.hooks = AppHooks(self)
        self.dash_app._hooks = self.hooks
        self.dispatcher = CallbackDispatcher(self, max_body_size)
        registry.begin_setup(self.dash_app)
        if self.dash_app.use_pages and self.dash_app.config.pages_folder:
            pages.import_page_modules(self)

        install_error_handlers(self)
        self.before_request(self._enter_request)
        self.after_request(self._leave_request)
        self.before_app_serving(self._start_serving)
        self.after_app_serving(self._stop_serving)
        views.add_dash_routes(self)
        add_global_hook_routes(self)

    # -- where the app lives ---------------------------------------------------
    def register(self, app: Quart, options: dict[str, Any]) -> None:  # type: ignore[override]
        name = options.get("name", self.name)
        full_name = f"{options.get('name_prefix', '')}.{name}".lstrip(".")
        url_prefix = options.get("url_prefix")
        if url_prefix is None:
            url_prefix = self.url_prefix
        self._mounts[full_name] = _normalise_prefix(url_prefix)
        self._prefixes.clear()
        if app not in self._apps:
            self._apps.append(app)
        super().register(app, options)
        registry.claim_for_current()

    @property
    def default_requests_prefix(self) -> str:
        """The browser-facing prefix outside a request: the first mount's."""
        if self._requests_prefix_override:
            return self._requests_prefix_override
        mount = next(iter(self._mounts.values()), self._constructor_prefix)
        return f"{mount}/"

    def _request_prefix(self) -> str:
        if self._requests_prefix_override:
            return self._requests_prefix_override
        req = request._get_current_object()  # type: ignore[attr-defined]
        key = (req.blueprint, req.root_path)
        prefix = self._prefixes.get(key)
        if prefix is None:
            mount = self._mounts.get(key[0] or "", self._constructor_prefix)
            prefix = f"{key[1].rstrip('/')}{mount}/"
            if len(self._prefixes) < 64:  # root_path comes from the client's proxy
                self._prefixes[key] = prefix
        return prefix

    @property
    def secret_key(self) -> Any:
        """The Quart app's secret key: Dash signs background-job handles with it."""
        return current_app.secret_key if has_app_context() else None

    # -- the Dash API ------------------------------------------------------------
    @property
    def config(self) -> Any:
        return self.dash_app.config

    @property
    def layout(self) -> Any:
        return self.dash_app.layout

    @layout.setter
    def layout(self, value: Any) -> None:
        dash_app = self.dash_app
        if callable(value):
            # Dash's setter calls a layout function at once, outside any
            # request, to build the validation layout; here that happens on
            # the first request instead, so layout functions may use the
            # request (and async ones are awaited).
            _validate.validate_layout_type(value)
            dash_app._layout = value  # pylint: disable=protected-access
            dash_app._layout_is_function = True  # pylint: disable=protected-access
        else:
            dash_app.layout = value

    @property
    def title(self) -> str:
        return self.dash_app.title

    @title.setter
    def title(self, value: str) -> None:
        self.dash_app.title = value

    @property
    def index_string(self) -> str:
        return self.dash_app.index_string

    @index_string.setter
    def index_string(self, value: str) -> None:
        self.dash_app.index_string = value

    @property
    def validation_layout(self) -> Any:
        return self.dash_app.validation_layout

    @validation_layout.setter
    def validation_layout(self, value: Any) -> None:
        self.dash_app.validation_layout = value

    def callback(self, *args: Any, channel: str | None = None, **kwargs: Any) -> Callable[..., Any]:
        """Register a server-side callback, as ``dash.Dash.callback``.

        ``async def`` callbacks are awaited on the event loop; plain ``def``
        ones run in the app's bounded thread pool.

        An ``async def`` *generator* callback streams: every value it yields
        is sent to the caller's browser as soon as it is produced, and the
        last one is the callback's answer; ``set_props`` inside it (as in
        any ``websocket=True`` callback) also streams at once.

        :param channel: run once per trigger and send the outputs to every
            browser subscribed to this channel, not just the caller.
        """
        before = set(self.dash_app.callback_map)
        register = self.dash_app.callback(*args, **kwargs)
        added = set(self.dash_app.callback_map) - before

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            if inspect.isasyncgenfunction(func):
                register(stream_outputs(func))
                self.streaming_callbacks.update(added)
            else:
                register(func)
            if channel is not None:
                self.channel_callbacks.update(dict.fromkeys(added, channel))
            return func

        return decorator

    def clientside_callback(self, clientside_function: Any, *args: Any, **kwargs: Any) -> Any:
        return self.dash_app.clientside_callback(clientside_function, *args, **kwargs)

    def get_asset_url(self, path: str) -> str:
        return self.dash_app.get_asset_url(path)

    def get_relative_path(self, path: str) -> str:
        return self.dash_app.get_relative_path(path)

    def strip_relative_path(self, path: str | None) -> str | None:
        return self.dash_app.strip_relative_path(path)  # type: ignore[arg-type]

    def setup_apis(self) -> None:
        """Add routes for callbacks declared with ``api_endpoint=`` (as in Dash).

        Call it after the callbacks are registered and before the blueprint
        is registered on the Quart app; the paths are under the app's prefix.
        """
        self.dash_app.setup_apis()

    def enable_dev_tools(self, debug: bool | None = None, **dev_tools: Any) -> bool:
        """Turn on Dash's dev tools for this app only (see ``dash.Dash``)."""
        return bool(self.dash_app.enable_dev_tools(debug, **dev_tools))

    def interpolate_index(self, **kwargs: Any) -> str:
        """Build the index HTML; override it as on a ``dash.Dash`` subclass."""
        return self.dash_app.stock_interpolate_index(**kwargs)

    # -- serving -----------------------------------------------------------------
    async def call_user_function(self, func: Callable[..., Any], *args: Any) -> Any:
        """Await ``func`` if it is async; otherwise run it in the thread pool."""
        if is_async_callable(func):
            return await func(*args)
        return await executor.run_sync(func, *args)

    async def resolve_layout(self) -> Any:
        """The layout for one request, with Dash's extras and layout hooks."""
        dash_app = self.dash_app
        # pylint: disable=protected-access
        layout = dash_app._layout
        if dash_app._layout_is_function:
            layout = await self.call_user_function(layout)
        if dash_app._extra_components:
            layout = html.Div(children=[layout] + dash_app._extra_components)
        for hook in dash_app._hooks.get_hooks("layout"):
            layout = hook(layout)
        return layout

    async def _enter_request(self) -> None:
        if self.server_timing:
            start_server_timing()
        _get_app.app_context.set(self.dash_app)
        current_mount.set((self.dash_app, self._request_prefix()))
        if not self._ready:
            await self._setup()

    async def _leave_request(self, response: Response) -> Response:
        return finish_server_timing(response) if self.server_timing else response

    async def _setup(self) -> None:
        """What Dash does on an app's first request, without blocking the loop."""
        if self._setup_lock is None:
            self._setup_lock = asyncio.Lock()
        async with self._setup_lock:
            if self._ready:
                return
            registry.claim_for_current()
            # After the app's own callbacks, so their order is untouched.
            lazy.install_loader_callback(self)
            dash_app = self.dash_app
            # pylint: disable=protected-access
            eager = dash_app.config.eager_loading or any(
                getattr(sys.modules[module], "_force_eager_loading", False)
                for module in ComponentRegistry.registry
            )
            dash_app.scripts.config.eager_loading = eager
            if dash_app.config.include_assets_files:
                await executor.run_sync(dash_app._walk_assets_directory)
            if dash_app.use_pages and dash_app.layout is None:
                dash_app.layout = page_container
            layout = await self.resolve_layout()
            _validate.validate_layout(dash_app._layout, layout)
            if (
                dash_app._layout_is_function
                and dash_app.validation_layout is None
                and not dash_app.config.suppress_callback_exceptions
            ):
                dash_app.validation_layout = layout
            # Registers every bundle path, so suites can be served before
            # any index page was rendered (for example by another worker).
            await executor.run_sync(dash_app._generate_scripts_html)
            await executor.run_sync(dash_app._generate_css_dist_html)
            _validate.validate_background_callbacks(dash_app.callback_map)
            install_cancel_callbacks(dash_app)
            if dash_app.use_pages:
                pages.refresh_relative_paths(dash_app)
                await pages.install_router(self)
            self._ready = True

    async def _start_serving(self) -> None:
        self._loop = asyncio.get_running_loop()
        registry.claim_for_current()
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        collector.start_serving(app)
        shutdown.start_watch(app)
        # Not awaited: serving starts now.  The first callback rarely comes
        # before this is done (~20 ms); if it does, it builds the validator
        # itself, as it did before.
        executor.pool_for(app).submit(schemas.body_validator)
        if self.channels_enabled:
            await channels.start_hub(app)

    async def _stop_serving(self) -> None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        await shutdown.stop_watch(app)
        await channels.stop_hub(app)
        await executor.shutdown(app)
        collector.stop_serving(app)

    # -- channels ------------------------------------------------------------------
    def channel_key(self, channel: str) -> str:
        """The broker channel for one of this app's channels (apps never share).

        The name's length leads, so no app name and channel name (both may
        hold "/") can spell another app's key.
        """
        return f"{len(self.name)}:{self.name}/c/{channel}"

    def session_key(self, session: str) -> str:
        """The broker channel reaching one browser session of this app."""
        return f"{len(self.name)}:{self.name}/s/{session}"

    def sse(
        self,
        rule: str,
        *,
        endpoint: str | None = None,
        methods: Sequence[str] = ("GET",),
        keep_alive: float = KEEP_ALIVE_SECONDS,
    ) -> Callable[[Callable[..., AsyncIterator[Any]]], Callable[..., AsyncIterator[Any]]]:
        """Serve an async generator as server-sent events at ``rule`` (under the prefix).

        See :mod:`quart_flash.sse` for what it may yield and how the stream
        ends; ``keep_alive`` is the idle time before a comment line is sent.
        """

        def decorator(
            func: Callable[..., AsyncIterator[Any]],
        ) -> Callable[..., AsyncIterator[Any]]:
            view = sse_view(func, keep_alive)
            self.add_url_rule(
                rule, endpoint=endpoint or func.__name__, view_func=view, methods=list(methods)
            )
            return func

        return decorator

    def channel_authorizer(self, func: Authorizer) -> Authorizer:
        """Decide who may subscribe: ``async def authorize(channel, websocket) -> bool``.

        It sees the websocket's cookies, headers and Quart session; a refused
        subscription closes the socket with code 4003 and the reason
        ``subscription refused: <channel>``.
        """
        self.authorize = func
        return func

    def _hub(self) -> channels.ChannelHub:
        app = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]
        if app is None:
            if not self._apps:
                raise RuntimeError(f"{self.name!r} is not registered on a Quart app")
            app = self._apps[0]
        return channels.hub_for(app)

    async def publish(
        self, channel: str | None, updates: channels.Updates, *, session: str | None = None
    ) -> None:
        """Set props in every browser subscribed to ``channel`` (or in one session).

        ``updates`` maps component ids to props, ``{"ticker": {"children": "42"}}``,
        or is a list of ``(id, props)`` pairs for dict ids.  Raises
        :class:`~quart_flash.brokers.PublishError` quickly if the broker is down.
        """
        await self.publish_updates(channels.encode_updates(updates), channel, session=session)

    async def publish_updates(
        self,
        updates: list[dict[str, Any]],
        channel: str | None = None,
        *,
        session: str | None = None,
    ) -> None:
        if (channel is None) == (session is None):
            raise TypeError("publish to a channel or to a session, not both or neither")
        key = self.channel_key(channel) if channel is not None else self.session_key(session or "")
        await self._hub().publish(key, updates)

    def publish_threadsafe(
        self, channel: str | None, updates: channels.Updates, *, session: str | None = None
    ) -> None:
        """``publish`` from a plain ``def`` callback or another thread (fire and forget)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the app is not serving yet")
        coro = self.publish(channel, updates, session=session)
        asyncio.run_coroutine_threadsafe(coro, loop)

    async def publish_response(self, channel: str, data: str | bytes) -> None:
        """Send a channel callback's answer to the channel's subscribers."""
        answer = json.loads(data)
        updates = [
            {"id": cid, "props": props}
            for part in ("response", "sideUpdate")
            for cid, props in answer.get(part, {}).items()
        ]
        if updates:
            await self.publish_updates(updates, channel)

    def flash_script_tags(self) -> str:
        """quart-flash's own scripts (LazyLoad, channels) for the index page."""
        prefix = self.dash_app.config.requests_pathname_prefix
        tags = f'<script src="{prefix}_flash/lazy.js?v={__version__}"></script>'
        if self.channels_enabled:
            tags += (
                f'<script src="{prefix}_flash/channels.js?v={__version__}" '
                f'data-url="{prefix}_flash/channels" '
                f'data-session-cookie="{channels.SESSION_COOKIE}"></script>'
            )
        return tags
