"""The typed request model of ``POST _dash-update-component``.

Declared once, as ``TypedDict`` classes: pydantic validates a body against them
(so a bad body gets a 400 that names the field), quart-schema documents them
(so the route can appear in the user's OpenAPI document), and the validated
body stays the plain dict that Dash's callback machinery expects.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Callable, Dict, List, Union

# pydantic needs typing_extensions' TypedDict before Python 3.12; quart-schema
# recognises only typing's from 3.12 on (its is_typeddict comes from typing).
if sys.version_info >= (3, 12):
    from typing import NotRequired, TypedDict
else:
    from typing_extensions import NotRequired, TypedDict

from pydantic_core import ValidationError

from .errors import ClientError

try:
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - exercised only without the speed extra
    _fast_loads = None  # type: ignore[assignment]

ComponentId = Union[str, Dict[str, Any]]


class PropRef(TypedDict):
    """One component property: an output, or the shape of an input."""

    id: ComponentId
    property: str


class PropValue(TypedDict):
    """An input or state property with its current value in the browser."""

    id: ComponentId
    property: str
    value: NotRequired[Any]


#: ALL and ALLSMALLER wildcards arrive as lists of concrete properties.
OutputSpec = Union[PropRef, List[Union[PropRef, List[PropRef]]]]
ValueList = List[Union[PropValue, List[PropValue]]]


class CallbackRequest(TypedDict):
    """What dash-renderer sends to run one server-side callback."""

    output: str
    outputs: NotRequired[OutputSpec]
    inputs: ValueList
    state: NotRequired[ValueList]
    changedPropIds: NotRequired[List[str]]
    parsedChangedPropsIds: NotRequired[List[Any]]


class CallbackResponse(TypedDict):
    """A callback's answer: new props per component id (``multi`` is always true)."""

    multi: bool
    response: NotRequired[Dict[str, Dict[str, Any]]]
    sideUpdate: NotRequired[Dict[str, Dict[str, Any]]]


class ErrorResponse(TypedDict):
    """The JSON body of every 4xx from a Dash route."""

    error: str
    message: str


class Component(TypedDict):
    """A serialized Dash component, as the renderer reads it."""

    type: str
    namespace: str
    props: Dict[str, Any]


class CallbackSpec(TypedDict):
    """One entry of ``_dash-dependencies``."""

    output: str
    inputs: List[Dict[str, Any]]
    state: List[Dict[str, Any]]
    clientside_function: Any
    prevent_initial_call: bool


class ReloadHash(TypedDict):
    reloadHash: Any
    hard: bool
    packages: List[str]
    files: List[Dict[str, Any]]


#: What the JSON routes answer, for the OpenAPI document (FlashBlueprint(openapi=True)).
JSON_ROUTE_RESPONSES: Dict[str, Dict[int, Any]] = {
    "dash_layout": {200: Component},
    "dash_dependencies": {200: List[CallbackSpec]},
    "dash_update_component": {200: CallbackResponse, 400: ErrorResponse, 413: ErrorResponse},
    "dash_reload_hash": {200: ReloadHash},
}

_validate_body: Callable[[Any], Any] | None = None


def body_validator() -> Callable[[Any], Any]:
    """pydantic's validator for :class:`CallbackRequest`, built on first use.

    Building it (and importing ``pydantic.main``) is a third of quart-flash's
    import time, so it is not done at import: a FlashBlueprint has it built
    in a pool thread when the app starts serving, while the server waits for
    its first requests, and the first callback finds it ready.
    """
    global _validate_body  # pylint: disable=global-statement
    if _validate_body is None:
        from pydantic import TypeAdapter

        _validate_body = TypeAdapter(CallbackRequest).validator.validate_python
    return _validate_body


_LONG_DIGITS = re.compile(rb"[0-9]{19}").search


def _loads(raw: bytes) -> Any:
    """``json.loads(raw)``: orjson when it can, Python's json for the rest.

    orjson accepts a subset of what ``json.loads`` accepts (UTF-8 only, no
    ``NaN``, 1,024 levels) and decodes that subset to equal values of the
    same types, except integers beyond 64 bits, which it makes floats: a
    body with a run of 19 digits goes to Python's json.  So trying orjson
    first changes nothing but the speed; whatever it refuses, and every
    error message, is Python's.
    """
    if _fast_loads is not None and _LONG_DIGITS(raw) is None:
        try:
            return _fast_loads(raw)
        except ValueError:
            pass
    return json.loads(raw)


def parse_callback_request(raw: bytes) -> dict[str, Any]:
    """Decode and validate a callback body, or raise a 400 that says why."""
    try:
        body = _loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ClientError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    try:
        (_validate_body or body_validator())(body)
    except ValidationError as exc:
        fields = [
            {"field": ".".join(str(part) for part in err["loc"]) or "(body)", "problem": err["msg"]}
            for err in exc.errors(include_url=False)[:20]
        ]
        names = ", ".join(f["field"] for f in fields)
        raise ClientError(
            400, "invalid_request", f"The callback request is invalid: {names}", fields=fields
        ) from None
    return body  # type: ignore[no-any-return]
