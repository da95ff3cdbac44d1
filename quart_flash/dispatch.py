"""Running one server-side callback for ``POST _dash-update-component``.

Dash's own callback wrapper (``add_context`` / ``async_add_context``, built
when the callback is registered) does the Dash part: callback context,
argument grouping, ``on_error``, output validation, ``sideUpdate``, JSON.
This module does the server part around it: read and check the request,
then *await* an ``async def`` callback on the loop or run a plain ``def``
one in the bounded thread pool, so the loop never blocks.
"""
from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dash import _validate
from dash.dependencies import Output
from dash.exceptions import CallbackException
from quart import Response, g, request

from .errors import ClientError
from .executor import run_sync
from .schemas import parse_callback_request

if TYPE_CHECKING:
    from .dash_app import MountedDash

_MULTI_WILDCARDS = (["ALL"], ["ALLSMALLER"])


@dataclass(frozen=True)
class _Slot:
    """One declared input or state: its property, and whether it is a list."""

    property: str
    many: bool

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "_Slot":
        component_id = spec["id"]
        many = False
        if component_id.startswith("{"):
            many = any(v in _MULTI_WILDCARDS for v in json.loads(component_id).values())
        return cls(spec["property"], many)


class CallbackDispatcher:
    """Dispatches callback requests for one Dash app."""

    def __init__(self, dash_app: "MountedDash", max_body_size: int | None) -> None:
        self.dash_app = dash_app
        self.max_body_size = max_body_size
        self._slots: dict[str, tuple[list[_Slot], list[_Slot]]] = {}

    async def read_body(self) -> dict[str, Any]:
        limit = self.max_body_size
        if limit is not None and (request.content_length or 0) > limit:
            raise ClientError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        raw = await request.get_data(cache=False, as_text=False)
        if limit is not None and len(raw) > limit:
            raise ClientError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        return parse_callback_request(raw)

    def _check_against_spec(self, body: dict[str, Any], callback: dict[str, Any]) -> None:
        output = body["output"]
        slots = self._slots.get(output)
        if slots is None:
            slots = self._slots[output] = (
                [_Slot.from_spec(s) for s in callback["inputs"]],
                [_Slot.from_spec(s) for s in callback["state"]],
            )
        for key, declared in zip(("inputs", "state"), slots):
            sent = body.get(key, [])
            if len(sent) != len(declared):
                raise ClientError(
                    400, "invalid_request",
                    f"{key!r} has {len(sent)} entries; callback {output!r} declares {len(declared)}.",
                )
            for position, (item, slot) in enumerate(zip(sent, declared)):
                items = item if isinstance(item, list) else [item]
                if isinstance(item, list) != slot.many or any(
                    i["property"] != slot.property for i in items
                ):
                    raise ClientError(
                        400, "invalid_request",
                        f"{key}[{position}] does not match callback {output!r}.",
                    )
        if not callback.get("no_output"):
            try:
                _validate.validate_output_spec(callback["output"], body.get("outputs", []), Output)
            except (CallbackException, KeyError, TypeError) as exc:
                raise ClientError(
                    400, "invalid_request", f"'outputs' does not match callback {output!r}: {exc}"
                ) from None

    async def dispatch(self) -> Response:
        body = await self.read_body()
        dash_app = self.dash_app
        output = body["output"]
        callback = dash_app.callback_map.get(output)
        if callback is None:
            raise ClientError(
                400, "unknown_callback", f"No callback is registered for output {output!r}."
            )
        self._check_against_spec(body, callback)
        g.quart_flash_output = output

        # pylint: disable=protected-access
        context = dash_app._initialize_context(body)
        func = dash_app._prepare_callback(context, body)
        args = dash_app._inputs_to_vals(context.inputs_list + context.states_list)
        call = dash_app._execute_callback(func, args, context.outputs_list, context)
        if inspect.iscoroutinefunction(func):
            data = await call()
        else:
            data = await run_sync(call)
        response = Response(data, content_type="application/json")
        return context.dash_response.apply_to(response)
