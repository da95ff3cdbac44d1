"""``LazyLoad``: content rendered only when it scrolls into view.

Made of Dash's own components plus a small script (``static/lazy.js``), so
nothing needs an npm build and the renderer treats the panel like any other
part of the layout.  The script watches ``LazyLoad`` blocks with an
IntersectionObserver (``offset`` is its root margin); when one comes into
view it either

* puts its ``children``, kept as JSON in a ``data-`` attribute, into the
  panel with ``dash_clientside.set_props``: no request, only the rendering
  is deferred (a heavy graph or table below the fold); or
* for a ``loader``, bumps a counter in a hidden ``dcc.Store``, which fires
  one pattern-matching callback every FlashBlueprint carries; it awaits the
  loader (``async def``) or runs it in the app's thread pool (``def``) and
  answers the panel's children.  Panels load concurrently, each as it
  appears, so a page shows at once and fills its slow parts as they arrive.

With ``once=False`` the panel loads again every time it re-enters the view.
Loaders are found by the block's ``id``: one ``id``, one loader, in the
whole process (a second, different loader under the same ``id`` is an
error rather than a silent swap between users; an equal
``functools.partial``, which a layout function builds on every call, is the
same loader).  A loader runs in the
callback's request, so ``quart.request``, the session and ``dash.ctx`` are
available for per-user content.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Union

from dash import MATCH, Input, Output, ctx, dcc, html
from dash.exceptions import PreventUpdate

from .encoder import dumps

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint

Loader = Callable[[], Union[Any, Awaitable[Any]]]

MARKER_CLASS = "quart-flash-lazy"
BODY_TYPE = "quart-flash-lazy-body"
SEEN_TYPE = "quart-flash-lazy-seen"
_loaders: dict[str, Loader] = {}


def LazyLoad(  # noqa: N802 - a component, named like Dash's
    children: Any = None,
    *,
    id: str,  # noqa: A002 - Dash's name for it
    loader: Loader | None = None,
    offset: str = "200px",
    once: bool = True,
    placeholder: Any = None,
    **props: Any,
) -> html.Div:
    """A block whose ``children`` (or ``loader()``'s result) render when seen.

    ``offset`` is a CSS margin around the viewport ("200px" starts loading
    just before the block scrolls in); ``placeholder`` shows until then.
    Other keyword arguments (``className``, ``style``...) go to the block.
    """
    if (children is None) == (loader is None):
        raise TypeError("LazyLoad takes children or a loader (one of them)")
    attributes = {"data-offset": offset, "data-once": "true" if once else "false"}
    if loader is not None:
        known = _loaders.setdefault(id, loader)
        if not _same_loader(known, loader):
            raise ValueError(
                f"LazyLoad id {id!r} already has another loader ({known!r}). Loaders are "
                "found by id in the whole process: give each its own id, and build loaders "
                "a layout function makes on every call from module-level functions or "
                "functools.partial (per-user data comes from the request, not a closure)."
            )
        attributes["data-loader"] = "true"
    else:
        attributes["data-content"] = dumps(children)
    class_name = " ".join(filter(None, [MARKER_CLASS, props.pop("className", None)]))
    return html.Div(
        [
            html.Div(placeholder, id={"type": BODY_TYPE, "key": id}),
            dcc.Store(id={"type": SEEN_TYPE, "key": id}, data=0),
        ],
        id=id,
        className=class_name,
        **attributes,
        **props,
    )


def _same_loader(known: Loader, loader: Loader) -> bool:
    """The same callable, or a ``functools.partial`` equal to it.

    A layout function builds its ``partial(load, arg)`` again on every call;
    one with the same function and arguments behaves the same.  Anything
    else (a new closure, another function) may not: refused, not swapped.
    """
    if known is loader:
        return True
    if isinstance(known, functools.partial) and isinstance(loader, functools.partial):
        return (
            _same_loader(known.func, loader.func)
            and known.args == loader.args
            and known.keywords == loader.keywords
        )
    return False


def install_loader_callback(blueprint: FlashBlueprint) -> None:
    """The one callback that answers every loader-backed LazyLoad of an app."""

    @blueprint.callback(
        Output({"type": BODY_TYPE, "key": MATCH}, "children"),
        Input({"type": SEEN_TYPE, "key": MATCH}, "data"),
        prevent_initial_call=True,
    )
    async def load_lazy_panel(seen: Any) -> Any:
        key = ctx.triggered_id["key"] if isinstance(ctx.triggered_id, dict) else None
        loader = _loaders.get(key) if isinstance(key, str) else None
        if loader is None or not seen:
            raise PreventUpdate
        return await blueprint.call_user_function(loader)


def content_of(block: html.Div) -> Any:
    """The children a static LazyLoad will render (for tests and debugging)."""
    return json.loads(getattr(block, "data-content"))
