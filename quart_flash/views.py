"""The HTTP (and websocket) views of one mounted Dash app.

Everything here is registered on the FlashBlueprint, so it is scoped to it:
index and catch-all, layout, dependencies, callbacks, component suites,
assets, favicon, reload hash, health, the channels socket and script, and a
JSON 405 for every other method on those paths.
"""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from quart import Response, current_app, request, send_from_directory
from quart.typing import ResponseReturnValue

from . import channels, pages
from .encoder import dumps
from .errors import ClientError
from .resources import file_response, resolve_suite_path

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

#: What ``quart_schema.hide`` sets (``quart_schema.openapi.QUART_SCHEMA_HIDDEN_ATTRIBUTE``;
#: a test checks it).  Set by name so that an app that never documents its
#: Dash routes does not import quart-schema (a tenth of quart-flash's start-up).
_HIDDEN_ATTRIBUTE = "_quart_schema_hidden"


def hide(view: Callable[..., Any]) -> Callable[..., Any]:
    """``quart_schema.hide``: leave the route out of the OpenAPI document."""
    setattr(view, _HIDDEN_ATTRIBUTE, True)
    return view


def _method_not_allowed(allowed: list[str]) -> Callable[..., Any]:
    async def view(**_: Any) -> ResponseReturnValue:
        raise ClientError(
            405,
            "method_not_allowed",
            f"Use {' or '.join(allowed)} here.",
            headers={"Allow": ", ".join(allowed)},
        )

    return view


def respond(blueprint: FlashBlueprint, body: str | bytes, content_type: str) -> Response:
    """A response with the body gzipped when the app has ``compress=True``."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers: dict[str, str] = {}
    if (
        blueprint.dash_app.config.compress
        and len(data) > 500
        and "gzip" in request.headers.get("Accept-Encoding", "")
    ):
        data = gzip.compress(data, compresslevel=6)
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return Response(data, content_type=content_type, headers=headers)


def documented(
    blueprint: FlashBlueprint, endpoint: str, view: Callable[..., Any]
) -> Callable[..., Any]:
    """Dash's routes stay out of the user's OpenAPI document unless asked;
    then the JSON routes are listed, tagged with the app's name."""
    if not blueprint.openapi:
        return hide(view)
    from quart_schema import document_request, document_response, tag

    from .schemas import JSON_ROUTE_RESPONSES, CallbackRequest

    responses = JSON_ROUTE_RESPONSES.get(endpoint)
    if responses is None:
        return hide(view)
    if endpoint == "dash_update_component":
        view = document_request(CallbackRequest)(view)
    for status, model in responses.items():
        view = document_response(model, status)(view)
    return tag([f"dash:{blueprint.name}"])(view)


def add_dash_routes(blueprint: FlashBlueprint) -> None:
    """Register every route of the Dash app on ``blueprint``."""
    dash_app = blueprint.dash_app
    config = dash_app.config
    compress = bool(config.compress)

    async def index(path: str = "") -> ResponseReturnValue:
        metas = []
        if dash_app.use_pages and config.include_pages_meta:
            metas = await pages.page_meta_tags(blueprint)
        return respond(blueprint, dash_app.render_index(metas), "text/html; charset=utf-8")

    # Serializing components is most of a Dash response's cost, so what
    # cannot change between requests is serialized once: a static layout
    # (until another one is assigned) and the callback list (until a
    # callback is added).  Mutating a layout in place is not seen: assign it.
    layout_cache: list[Any] = [None, None]  # [layout object, its JSON]
    deps_cache: list[Any] = [None, None]  # [(list identity, length, hide_all), JSON]

    async def layout() -> ResponseReturnValue:
        current = dash_app._layout  # pylint: disable=protected-access
        if layout_cache[0] is current and current is not None:
            return respond(blueprint, layout_cache[1], "application/json")
        body = dumps(await blueprint.resolve_layout())
        if not dash_app._layout_is_function and not dash_app._hooks.get_hooks("layout"):
            layout_cache[:] = [current, body]
        return respond(blueprint, body, "application/json")

    async def dependencies() -> ResponseReturnValue:
        callbacks = dash_app._callback_list  # pylint: disable=protected-access
        hide_all = config.get("hide_all_callbacks", False)
        key = (id(callbacks), len(callbacks), hide_all)
        if deps_cache[0] != key:
            specs = [
                {**spec, "hidden": hide_all} if spec.get("hidden") is None else spec
                for spec in callbacks
            ]
            deps_cache[:] = [key, dumps(specs)]
        return respond(blueprint, deps_cache[1], "application/json")

    async def update_component() -> ResponseReturnValue:
        return await blueprint.dispatcher.dispatch()

    async def component_suites(package_name: str, fingerprinted_path: str) -> ResponseReturnValue:
        path, fingerprinted = resolve_suite_path(
            dash_app.registered_paths, package_name, fingerprinted_path
        )
        return await file_response(package_name, path, immutable=fingerprinted, compress=compress)

    async def assets(filename: str) -> ResponseReturnValue:
        return await send_from_directory(config.assets_folder, filename)

    async def favicon() -> ResponseReturnValue:
        return await file_response("dash", "favicon.ico", immutable=False, compress=False)

    async def reload_hash() -> ResponseReturnValue:
        return dash_app.serve_reload_hash()

    async def health() -> ResponseReturnValue:
        return Response("OK", content_type="text/plain")

    def flash_script(name: str) -> Callable[[], Awaitable[ResponseReturnValue]]:
        async def script() -> ResponseReturnValue:
            return await file_response(
                "quart_flash", f"static/{name}", immutable=False, compress=compress
            )

        return script

    async def channels_socket() -> None:
        hub = channels.hub_for(current_app._get_current_object())  # type: ignore[attr-defined]
        await channels.serve_connection(blueprint, hub, blueprint.authorize)

    assets_path = config.assets_url_path.strip("/")
    routes: list[tuple[str, str, Callable[..., Any], list[str]]] = [
        ("/", "dash_index", index, ["GET"]),
        ("/_dash-layout", "dash_layout", layout, ["GET"]),
        ("/_dash-dependencies", "dash_dependencies", dependencies, ["GET"]),
        ("/_dash-update-component", "dash_update_component", update_component, ["POST"]),
        (
            "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
            "dash_component_suites",
            component_suites,
            ["GET"],
        ),
        (f"/{assets_path}/<path:filename>", "dash_assets", assets, ["GET"]),
        ("/_favicon.ico", "dash_favicon", favicon, ["GET"]),
        ("/_reload-hash", "dash_reload_hash", reload_hash, ["GET"]),
        ("/_flash/lazy.js", "flash_lazy_script", flash_script("lazy.js"), ["GET"]),
    ]
    if config.health_endpoint:
        routes.append((f"/{config.health_endpoint.strip('/')}", "dash_health", health, ["GET"]))
    if blueprint.channels_enabled:
        routes.append(
            ("/_flash/channels.js", "flash_channels_script", flash_script("channels.js"), ["GET"])
        )
        blueprint.add_websocket("/_flash/channels", "flash_channels", channels_socket)
    routes.append(("/<path:path>", "dash_catchall", index, ["GET"]))
    for rule, endpoint, view, methods in routes:
        shown = documented(blueprint, endpoint, view)
        blueprint.add_url_rule(rule, endpoint=endpoint, view_func=shown, methods=methods)
        # Other methods get a JSON 405 from this blueprint rather than
        # Quart's app-wide HTML page (or, for GET, the catch-all's index).
        others = [m for m in _METHODS if m not in methods]
        blueprint.add_url_rule(
            rule,
            endpoint=f"{endpoint}_405",
            view_func=hide(_method_not_allowed(methods)),
            methods=others,
        )
