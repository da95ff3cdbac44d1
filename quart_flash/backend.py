"""The seam between stock Dash and a Quart blueprint.

Dash 4.x reaches its web framework only through a ``BaseDashServer`` object
(``app.backend``): request and response adapters, ``make_response``,
``jsonify``, redirects for Pages and the debug error handler.  quart-flash
does not let Dash register its own routes (those run sync code on the event
loop and assume one app per server); :class:`BlueprintServer` exists so that
the parts of Dash we *do* reuse — callback wrappers, background callbacks,
``index()``, Pages, dev tools — find a framework that answers for the
blueprint that owns the current request.
"""

from __future__ import annotations

import functools
import inspect
import time
import traceback
from typing import TYPE_CHECKING, Any, Callable

from dash.backends._utils import format_traceback_html
from dash.backends.base_server import BaseDashServer, RequestAdapter, ResponseAdapter
from quart import Response, g, has_request_context, jsonify, redirect, request

from .errors import ClientError

if TYPE_CHECKING:
    import dash

    from .blueprint import FlashBlueprint


#: Dash's frames that call a user's callback (``_callback.py``); the pruned
#: debugger page starts below them.
_CALLBACK_INVOKERS = frozenset({"_invoke_callback", "_async_invoke_callback"})


class QuartRequestAdapter(RequestAdapter):
    """Dash's view of the current ``quart.request``.

    Works from the event loop and from quart-flash's worker threads, because
    Quart keeps its request in a context variable that dispatch copies.
    """

    @property
    def context(self) -> Any:
        return g

    @property
    def root(self) -> str:
        return request.root_url

    @property
    def args(self) -> Any:
        return request.args

    async def get_json(self) -> Any:
        return await request.get_json()

    @property
    def is_json(self) -> bool:
        return request.is_json

    @property
    def cookies(self) -> Any:
        return request.cookies

    @property
    def headers(self) -> Any:
        return request.headers

    @property
    def full_path(self) -> str:
        return request.full_path

    @property
    def url(self) -> str:
        return str(request.url)

    @property
    def remote_addr(self) -> Any:
        return request.remote_addr

    @property
    def origin(self) -> Any:
        return request.headers.get("origin")

    @property
    def path(self) -> str:
        return request.path


class QuartResponseAdapter(ResponseAdapter):
    """Collects what a callback sets on ``dash.ctx.response``.

    The callback may run in a worker thread before any Quart response exists,
    so headers and cookies are recorded and applied to the real response by
    :meth:`apply_to`.
    """

    def __init__(self) -> None:
        super().__init__()
        self._cookie_calls: list[tuple[str, str, dict[str, Any]]] = []
        self._header_calls: list[tuple[str, str, bool]] = []

    @property
    def callback_response(self) -> QuartResponseAdapter:
        return self

    def set_cookie(self, key: str, value: str = "", **kwargs: Any) -> None:
        self._cookie_calls.append((key, value, kwargs))

    def append_header(self, key: str, value: str) -> None:
        self._header_calls.append((key, value, True))

    def set_header(self, key: str, value: str) -> None:
        self._header_calls.append((key, value, False))

    def set_response(self, **kwargs: Any) -> Any:
        raise NotImplementedError("quart-flash builds callback responses itself")

    def apply_to(self, response: Response) -> Response:
        for key, value, kwargs in self._cookie_calls:
            response.set_cookie(key, value, **kwargs)
        for key, value, append in self._header_calls:
            if append:
                response.headers.add(key, value)
            else:
                response.headers[key] = value
        return response


def start_server_timing() -> None:
    g.timing_information = {"__dash_server": {"dur": time.time(), "desc": None}}


def finish_server_timing(response: Response) -> Response:
    """Write Dash's timing entries (``dash.ctx.record_timing``) as headers."""
    timing = getattr(g, "timing_information", None)
    if not timing:
        return response
    total = timing.get("__dash_server")
    if total is not None:
        total["dur"] = round((time.time() - total["dur"]) * 1000)
    for name, info in timing.items():
        value = name
        if info.get("desc") is not None:
            value += f';desc="{info["desc"]}"'
        if info.get("dur") is not None:
            value += f";dur={info['dur']}"
        response.headers.add("Server-Timing", value)
    return response


class BlueprintServer(BaseDashServer[Any]):
    """``dash.Dash(backend=...)`` class whose "server" is a FlashBlueprint.

    Everything registered through it lands on the blueprint, so it is scoped
    to that one Dash app: error handlers, request hooks and routes.
    """

    server_type = "quart-flash"
    websocket_capability = False

    def __init__(self, server: FlashBlueprint) -> None:
        super().__init__(server)
        self.config: dict[str, Any] = {}
        self.request_adapter = QuartRequestAdapter
        self.response_adapter = QuartResponseAdapter

    @staticmethod
    def create_app(name: str = "__main__", config: Any = None) -> Any:
        # Called by ``dash.Dash.__init__``; the blueprint under construction
        # is handed over through a context variable (see dash_app.py).
        from .dash_app import constructing_blueprint

        return constructing_blueprint.get()

    # -- routing -----------------------------------------------------------
    def add_url_rule(
        self,
        rule: str,
        view_func: Callable[..., Any],
        endpoint: str | None = None,
        methods: list[str] | None = None,
    ) -> None:
        # Dash names endpoints after the rule; blueprint endpoints may not
        # contain dots, so make the name safe.
        name = (endpoint or rule).strip("/").replace(".", "_").replace("/", "_") or "root"
        self.server.add_url_rule(
            rule, endpoint=f"dash_{name}", view_func=view_func, methods=methods or ["GET"]
        )

    def add_redirect_rule(self, app: dash.Dash, fullname: str, path: str) -> None:
        """A 301 for ``register_page(redirect_from=...)``.

        Dash passes both paths already prefixed with the prefix known at
        import time; the rule is made relative to the blueprint and the
        target is prefixed again per request (root_path, mount).
        """
        source = app.strip_relative_path(fullname) or ""
        target = app.strip_relative_path(path) or ""

        async def _redirect() -> Any:
            return redirect(app.get_relative_path(f"/{target}"), code=301)

        self.add_url_rule(f"/{source}", _redirect, endpoint=f"redirect_{source}")

    def register_assets_blueprint(
        self, blueprint_name: str, assets_url_path: str, assets_folder: str
    ) -> None:
        raise NotImplementedError("assets are served by FlashBlueprint itself")

    def register_error_handlers(self) -> None:
        raise NotImplementedError("error handlers are registered by FlashBlueprint")

    def before_request(self, func: Callable[..., Any]) -> None:
        self.server.before_request(func)

    def after_request(self, func: Callable[..., Any]) -> None:
        async def _after(response: Response) -> Response:
            result = func()
            if hasattr(result, "__await__"):
                await result
            return response

        self.server.after_request(_after)

    def has_request_context(self) -> bool:
        return has_request_context()

    # -- responses ---------------------------------------------------------
    def make_response(
        self,
        data: Any,
        mimetype: str | None = None,
        content_type: str | None = None,
        status: int | None = None,
    ) -> Response:
        return Response(data, mimetype=mimetype, content_type=content_type, status=status)

    def jsonify(self, obj: Any) -> Any:
        return jsonify(obj)

    # -- debug support -----------------------------------------------------
    def register_prune_error_handler(self, secret: str, prune_errors: bool) -> None:
        """Show Python tracebacks in the dev-tools UI, for this app only."""
        mode = "prune" if prune_errors else "raise"
        blueprint: FlashBlueprint = self.server
        blueprint.debug_traceback_mode = mode

    def register_timing_hooks(self, first_run: bool) -> None:
        """Turn on the ``Server-Timing`` header the dev-tools callback graph reads.

        The hooks themselves are always on the blueprint (a registered
        blueprint takes no new hooks); this only switches them on.
        """
        self.server.server_timing = True

    def format_traceback(self, error: BaseException, mode: str) -> str:
        """Dash's debugger page; pruning applies to callback tracebacks only.

        Pruning drops the frames above the user's callback; a failing layout
        function has no such frame, and would be left with none.
        """
        frames = traceback.extract_tb(error.__traceback__)
        if not any(f.name in _CALLBACK_INVOKERS for f in frames):
            mode = "raise"
        return format_traceback_html(error, mode, "quart-flash debugger", "Quart")

    # -- parts Dash only calls from the routes it registers itself ---------
    def run(self, dash_app: Any, host: str, port: int, debug: bool, **kwargs: Any) -> None:
        raise NotImplementedError("a blueprint is not a server: use Flash.run or hypercorn")

    def enable_compression(self) -> None:
        raise NotImplementedError("compression is applied by FlashBlueprint")

    def register_callback_api_routes(self, callback_api_paths: dict[str, Any]) -> None:
        """Routes for ``callback(..., api_endpoint=...)`` (``app.setup_apis()``).

        Dash registers them at absolute paths; here they are relative to the
        app's prefix like its other routes.  The JSON body becomes the keyword
        arguments; async handlers are awaited, sync ones run in the pool.
        """
        blueprint: FlashBlueprint = self.server
        for path, handler in callback_api_paths.items():

            async def view(handler: Any = handler) -> Any:
                data = await request.get_json(silent=True) or {}
                if not isinstance(data, dict):
                    raise ClientError(400, "invalid_request", "The body must be a JSON object.")
                try:
                    inspect.signature(handler).bind(**data)
                except TypeError as exc:
                    raise ClientError(400, "invalid_request", str(exc)) from None
                result = await blueprint.call_user_function(functools.partial(handler, **data))
                return jsonify(result)

            rule = f"/{path.lstrip('/')}"
            self.add_url_rule(rule, view, endpoint=f"api_{path}", methods=["POST"])

    def setup_component_suites(self, dash_app: Any) -> str:
        raise NotImplementedError("component suites are served by FlashBlueprint")

    def serve_callback(self, dash_app: Any) -> Any:
        raise NotImplementedError("callbacks are dispatched by FlashBlueprint")

    def setup_index(self, dash_app: Any) -> None:
        raise NotImplementedError("the index is served by FlashBlueprint")

    def setup_catchall(self, dash_app: Any) -> None:
        raise NotImplementedError("the index is served by FlashBlueprint")


__all__ = ["BlueprintServer", "QuartRequestAdapter", "QuartResponseAdapter"]
