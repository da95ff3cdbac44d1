"""Dash Pages, one page registry per FlashBlueprint.

Dash keeps every page in one process-wide ``dash.page_registry``.  Here each
app has its own, and the process-wide name is a proxy that answers with the
registry of the app being served or set up (``dash.get_app()``'s app).  So
two FlashBlueprints with their own pages folders on one Quart app never
list, route to or render each other's pages, while page modules keep using
``dash.register_page`` and ``dash.page_registry`` unchanged.  Outside any
FlashBlueprint the proxy is the registry Dash itself would use, so a plain
``dash.Dash`` app in the same process behaves as always.

Import ``quart_flash`` before ``from dash import page_registry`` binds the
name (or use ``quart_flash.page_registry`` / ``dash.page_registry``): a name
bound earlier keeps pointing at Dash's own dictionary.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import dash
from dash import _get_app, _pages, _validate, html
from dash.dependencies import Input, Output

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint

# Dash's ids for the parts of ``dash.page_container``.
LOCATION, CONTENT = "_pages_location", "_pages_content"
STORE, DUMMY = "_pages_store", "_pages_dummy"

_SET_TITLE = "function(data) { document.title = data.title; }"


def _registry_of_current_app() -> collections.OrderedDict[str, Any] | None:
    # The app serving the request, else the app Dash last made current: at
    # module level after ``Flash(use_pages=True)`` that is the Flash app, as
    # it would be the Dash app; after a plain ``dash.Dash`` it is that one,
    # which has no registry of its own here.
    app = _get_app.app_context.get(None) or _get_app.APP
    return getattr(app, "page_registry", None)


class PageRegistryProxy(collections.OrderedDict):  # type: ignore[type-arg]
    """``dash.page_registry`` that resolves to the current app's registry.

    It subclasses OrderedDict so that ``isinstance`` checks still pass; its
    own storage is Dash's original registry, used outside FlashBlueprints.
    """

    def __init__(self, fallback: collections.OrderedDict[str, Any]) -> None:
        super().__init__()
        self._fallback = fallback

    def _target(self) -> collections.OrderedDict[str, Any]:
        registry = _registry_of_current_app()
        return registry if registry is not None else self._fallback

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._target()

    def __iter__(self) -> Iterator[str]:
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def __repr__(self) -> str:
        return f"PageRegistryProxy({dict(self._target())!r})"

    def __eq__(self, other: object) -> bool:
        return self._target() == other

    __hash__ = None  # type: ignore[assignment]

    def get(self, key: str, default: Any = None) -> Any:
        return self._target().get(key, default)

    def keys(self) -> Any:
        return self._target().keys()

    def values(self) -> Any:
        return self._target().values()

    def items(self) -> Any:
        return self._target().items()

    def pop(self, key: str, *default: Any) -> Any:
        return self._target().pop(key, *default)

    def clear(self) -> None:
        self._target().clear()

    def move_to_end(self, key: str, last: bool = True) -> None:
        self._target().move_to_end(key, last)

    def copy(self) -> collections.OrderedDict[str, Any]:  # type: ignore[override]
        return self._target().copy()


def install_registry_proxy() -> PageRegistryProxy:
    """Put the proxy where Dash and its users look the registry up."""
    current = _pages.PAGE_REGISTRY
    if not isinstance(current, PageRegistryProxy):
        current = PageRegistryProxy(current)
        _pages.PAGE_REGISTRY = current
        dash.page_registry = current
    return current


page_registry = install_registry_proxy()


def import_page_modules(blueprint: FlashBlueprint) -> None:
    """Import the app's pages folder, registering pages on this app only."""
    dash_app = blueprint.dash_app
    token = _get_app.app_context.set(dash_app)
    try:
        _pages._import_layouts_from_pages(dash_app.config.pages_folder)  # noqa: SLF001
    finally:
        _get_app.app_context.reset(token)


async def call_page_function(blueprint: FlashBlueprint, func: Any, **kwargs: Any) -> Any:
    """A page's layout, title or description: async awaited, sync in a thread."""
    if not callable(func):
        return func
    return await blueprint.call_user_function(functools.partial(func, **kwargs))


async def resolve_page(
    blueprint: FlashBlueprint, pathname: str | None, search: str | None, states: dict[str, Any]
) -> tuple[Any, Any]:
    """The layout and title for a URL, as Dash's router computes them."""
    dash_app = blueprint.dash_app
    query = _pages._parse_query_string(search)  # noqa: SLF001
    page, path_variables = _pages._path_to_page(  # noqa: SLF001
        dash_app.strip_relative_path(pathname)
    )
    if page == {}:
        page = next(
            (
                p
                for module, p in dash_app.page_registry.items()
                if module.split(".")[-1] == "not_found_404"
            ),
            {"layout": html.H1("404 - Page not found"), "title": dash_app.title},
        )
    variables = path_variables or {}
    layout = await call_page_function(
        blueprint, page.get("layout", ""), **variables, **query, **states
    )
    title = await call_page_function(blueprint, page["title"], **variables)
    return layout, title


async def install_router(blueprint: FlashBlueprint) -> None:
    """Register the page-routing callbacks and the validation layout (first request)."""
    dash_app = blueprint.dash_app
    registry = dash_app.page_registry
    _validate.check_for_duplicate_pathnames(registry)
    _validate.validate_registry(registry)

    inputs = {"pathname_": Input(LOCATION, "pathname"), "search_": Input(LOCATION, "search")}
    inputs.update(dash_app.routing_callback_inputs)

    @dash_app.callback(  # type: ignore[untyped-decorator]
        Output(CONTENT, "children"),
        Output(STORE, "data"),
        inputs=inputs,
        prevent_initial_call=True,
        hidden=True,
    )
    async def route(pathname_: str, search_: str, **states: Any) -> tuple[Any, dict[str, Any]]:
        layout, title = await resolve_page(blueprint, pathname_, search_, states)
        return layout, {"title": title}

    dash_app.clientside_callback(
        _SET_TITLE, Output(DUMMY, "children"), Input(STORE, "data"), hidden=True
    )

    if not dash_app.config.suppress_callback_exceptions:
        layouts = [await call_page_function(blueprint, p["layout"]) for p in registry.values()]
        main = await blueprint.resolve_layout()
        layouts += main if isinstance(main, list) else [main]
        dash_app.validation_layout = html.Div(layouts)
        if CONTENT not in dash_app.validation_layout:
            raise dash.exceptions.NoLayoutException("`dash.page_container` not found in the layout")


def refresh_relative_paths(dash_app: Any) -> None:
    """Recompute ``relative_path`` with the prefix of the request being served.

    ``register_page`` computes it at import time, before the blueprint knows
    where it is mounted or behind which ``root_path``.
    """
    for page in dash_app.page_registry.values():
        page["relative_path"] = dash_app.get_relative_path(page["path"])


async def page_meta_tags(blueprint: FlashBlueprint) -> list[dict[str, Any]]:
    """Dash's social-preview meta tags for the requested page.

    Like Dash's ``_page_meta_tags``, but title and description functions may
    be ``async def``.
    """
    from quart import request

    dash_app = blueprint.dash_app
    path = dash_app.strip_relative_path(request.path) or ""
    page, path_variables = _pages._path_to_page(path)  # noqa: SLF001
    variables = path_variables or {}
    image = page.get("image") or ""
    if image:
        image = dash_app.get_asset_url(image)
    image_url = page.get("image_url") or (
        request.host_url.rstrip("/") + "/" + image.lstrip("/") if image else ""
    )
    title = await call_page_function(blueprint, page.get("title", dash_app.title), **variables)
    description = await call_page_function(blueprint, page.get("description", ""), **variables)
    return [
        {"name": "description", "content": description},
        {"property": "twitter:card", "content": "summary_large_image"},
        {"property": "twitter:url", "content": str(request.url)},
        {"property": "twitter:title", "content": title},
        {"property": "twitter:description", "content": description},
        {"property": "twitter:image", "content": image_url},
        {"property": "og:title", "content": title},
        {"property": "og:type", "content": "website"},
        {"property": "og:description", "content": description},
        {"property": "og:image", "content": image_url},
    ]
