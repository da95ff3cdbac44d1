"""JSON for Dash responses, the same bytes as Dash's encoder, several times faster.

Dash serializes with plotly's ``to_json_plotly``: with orjson installed it
first tries ``orjson.dumps`` as is, and when that fails (any component in
the value makes it fail) walks the whole value in Python
(``clean_to_json_compatible``), checking every node against numpy, pandas,
datetimes, PIL and plotly objects, then dumps the cleaned copy.  For a
callback returning 2,000 ``html.Div``\\ s that walk is most of the request.

:func:`dumps` gives the same result with orjson doing the walk: components
are turned into their ``{"props", "type", "namespace"}`` dictionaries by an
orjson ``default`` hook (only for components, which are the common case),
and every other value orjson cannot take natively is cleaned by plotly's own
function and serialized with plotly's own options, exactly as Dash would.
Numpy values and datetimes are routed through that hook too (orjson would
otherwise format them itself, which differs in places from plotly's cleaned
form, ``datetime64`` for one).  The tests compare the bytes with Dash's
encoder over generated values.

Without orjson (or orjson older than 3.9), or when plotly's JSON engine is
set to ``"json"``, Dash's encoder is used unchanged.

Dash's callback wrapper calls ``dash._callback.to_json`` by name, so at
import quart-flash points that name at :func:`dash_to_json`, which uses
:func:`dumps` while a quart-flash app is serving and Dash's own function
otherwise (a plain Dash app in the same process is untouched).
"""

from __future__ import annotations

import sys
from typing import Any

import dash._callback
from dash._utils import to_json as _dash_to_json
from dash.development.base_component import Component
from plotly.io import json as plotly_json

from .dash_app import current_mount

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only without the speed extra
    orjson = None  # type: ignore[assignment]

_FAST = orjson is not None and hasattr(orjson, "Fragment")
# plotly's options for the final dump, and ours for the walk: without
# OPT_SERIALIZE_NUMPY and with datetimes passed through, such values reach
# the hook and get plotly's treatment.
if _FAST:
    _PLOTLY_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    _WALK_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _plotly_options() -> int:
    """plotly's options, without the numpy one while numpy is not imported.

    With OPT_SERIALIZE_NUMPY, orjson imports numpy the first time it meets a
    type it does not know (any component): ~60 ms on the event loop in the
    first request that returns one.  Until numpy has been imported, no value
    can hold a numpy object, so the bytes are the same without the option.
    """
    if "numpy" in sys.modules:
        return _PLOTLY_OPTIONS
    return _PLOTLY_OPTIONS & ~orjson.OPT_SERIALIZE_NUMPY  # type: ignore[no-any-return]


# What plotly escapes in its output, so JSON can sit inside <script>.
_UNSAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("/", "\\u002f"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


class _ClassInfo:
    """What one component class needs to be turned into JSON quickly."""

    __slots__ = ("plain", "wildcards", "bookkeeping")

    def __init__(self, component: Component) -> None:
        cls = type(component)
        attributes = component.__dict__
        names = attributes["_prop_names"]
        # Built from the instance's attributes alone?  Not if the class
        # overrides ``to_plotly_json``, or has a class attribute named like
        # one of its props (Dash's ``hasattr`` would see it).
        self.plain = cls.to_plotly_json is Component.to_plotly_json and not any(
            hasattr(cls, name) for name in names
        )
        self.wildcards = tuple(attributes.get("_valid_wildcard_attributes", ()))
        # Attributes that are neither props nor wildcard props (Dash keeps
        # its prop lists on each instance): when an instance has just these
        # besides its props, it has no wildcard props to look for.
        self.bookkeeping = frozenset(
            key
            for key in attributes
            if key not in names and not (self.wildcards and key.startswith(self.wildcards))
        )


_classes: dict[type, _ClassInfo] = {}


def component_json(component: Component) -> dict[str, Any]:
    """``component.to_plotly_json()``, without a ``hasattr`` per possible prop."""
    info = _classes.get(type(component))
    if info is None:
        info = _classes[type(component)] = _ClassInfo(component)
    if not info.plain:
        return component.to_plotly_json()  # type: ignore[no-any-return]
    attributes = component.__dict__
    props = {name: attributes[name] for name in attributes["_prop_names"] if name in attributes}
    if len(attributes) != len(props) + len(info.bookkeeping) or not (
        attributes.keys() >= info.bookkeeping
    ):
        wildcards = info.wildcards
        props.update({k: v for k, v in attributes.items() if wildcards and k.startswith(wildcards)})
    return {"props": props, "type": component._type, "namespace": component._namespace}


def _modules() -> dict[str, Any]:
    """What plotly's cleaner checks for: only modules already imported."""
    return {
        "sage_all": sys.modules.get("sage.all"),
        "np": sys.modules.get("numpy"),
        "pd": sys.modules.get("pandas"),
        "image": sys.modules.get("PIL.Image"),
    }


def _default(value: Any) -> Any:
    if isinstance(value, Component):
        return component_json(value)
    cleaned = plotly_json.clean_to_json_compatible(
        value, numpy_allowed=True, datetime_allowed=True, modules=_modules()
    )
    # Serialized as plotly serializes its cleaned value (TypeError if it can't).
    return orjson.Fragment(orjson.dumps(cleaned, option=_plotly_options()))


def _escape(text: str) -> str:
    for unsafe, safe in _UNSAFE:
        if unsafe in text:
            text = text.replace(unsafe, safe)
    return text


def dumps(value: Any) -> str:
    """Dash's ``to_json(value)``, byte for byte."""
    if not _FAST or plotly_json.config.default_engine == "json":
        return _dash_to_json(value)  # type: ignore[no-any-return]
    to_plotly_json = getattr(value, "to_plotly_json", None)
    if to_plotly_json is not None:
        value = to_plotly_json()
    try:  # what plotly tries first: nothing orjson cannot take natively
        return _escape(orjson.dumps(value, option=_plotly_options()).decode())
    except TypeError:
        pass
    try:
        return _escape(orjson.dumps(value, default=_default, option=_WALK_OPTIONS).decode())
    except TypeError:
        # Not serializable, or nested past orjson's limits: let Dash's
        # encoder give its own answer or its own error.
        return _dash_to_json(value)  # type: ignore[no-any-return]


def dash_to_json(value: Any) -> str:
    """Stands in for ``dash._callback.to_json``: ours for our apps only."""
    if current_mount.get(None) is None:
        return _dash_to_json(value)  # type: ignore[no-any-return]
    return dumps(value)


def install() -> None:
    """Point Dash's callback wrapper at :func:`dash_to_json` (idempotent)."""
    dash._callback.to_json = dash_to_json  # type: ignore[attr-defined]


install()
