"""Running one server-side callback for ``POST _dash-update-component``.

Dash's own callback wrapper (``add_context`` / ``async_add_context``, built
when the callback is registered) does the Dash part: callback context,
argument grouping, ``on_error``, output validation, ``sideUpdate``, JSON.
This module does the server part around it: read and check the request,
then *await* an ``async def`` callback on the loop or run a plain ``def``
one in the bounded thread pool, so the loop never blocks.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dash import _callback, _callback_signing, _validate
from dash.dependencies import Output
from dash.exceptions import CallbackException
from quart import Response, g, request

from .channels import SessionStream, session_id
from .errors import ClientError
from .executor import run_sync
from .schemas import parse_callback_request

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint

_MULTI_WILDCARDS = (["ALL"], ["ALLSMALLER"])


def _run_to_completion(call: Any) -> Any:
    """Run Dash's callback wrapper to its end in a worker thread."""
    result = call()
    return asyncio.run(result) if inspect.iscoroutine(result) else result


@dataclass(frozen=True)
class _Slot:
    """One declared input, state or output: its property, and whether the
    renderer sends a list for it (an ALL or ALLSMALLER wildcard)."""

    property: str
    many: bool

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> _Slot:
        component_id = spec["id"]
        many = False
        if component_id.startswith("{"):
            many = any(v in _MULTI_WILDCARDS for v in json.loads(component_id).values())
        return cls(spec["property"], many)

    @classmethod
    def from_output(cls, output: Output) -> _Slot:
        return cls.from_spec(output.to_dict())

    def accepts(self, item: Any, compare_property: bool = True) -> bool:
        items = item if isinstance(item, list) else [item]
        return isinstance(item, list) == self.many and (
            not compare_property or all(i["property"] == self.property for i in items)
        )


@dataclass(frozen=True)
class _Signature:
    """The request shape one callback accepts, worked out once."""

    inputs: list[_Slot]
    state: list[_Slot]
    outputs: list[_Slot] | None  # None: the renderer sends one output, not a list

    @classmethod
    def of(cls, callback: dict[str, Any]) -> _Signature:
        declared = callback["output"]
        outputs = (
            [_Slot.from_output(o) for o in declared]
            if isinstance(declared, (list, tuple))
            else None
        )
        return cls(
            [_Slot.from_spec(s) for s in callback["inputs"]],
            [_Slot.from_spec(s) for s in callback["state"]],
            outputs,
        )


class CallbackDispatcher:
    """Dispatches callback requests for one Dash app."""

    def __init__(self, blueprint: FlashBlueprint, max_body_size: int | None) -> None:
        self.blueprint = blueprint
        self.dash_app = blueprint.dash_app
        self.max_body_size = max_body_size
        self._signatures: dict[str, _Signature] = {}

    async def read_body(self) -> dict[str, Any]:
        limit = self.max_body_size
        if limit is not None and (request.content_length or 0) > limit:
            raise ClientError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        raw: bytes = await request.get_data(cache=False, as_text=False)  # type: ignore[assignment]
        if limit is not None and len(raw) > limit:
            raise ClientError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        return parse_callback_request(raw)

    def _check_against_spec(self, body: dict[str, Any], callback: dict[str, Any]) -> None:
        output = body["output"]
        signature = self._signatures.get(output)
        if signature is None:
            signature = self._signatures[output] = _Signature.of(callback)

        def mismatch(what: str) -> ClientError:
            return ClientError(
                400, "invalid_request", f"{what} does not match callback {output!r}."
            )

        for key, declared in (("inputs", signature.inputs), ("state", signature.state)):
            sent = body.get(key, [])
            if len(sent) != len(declared):
                raise mismatch(f"{key!r} has {len(sent)} entries, not {len(declared)}: it")
            for position, (item, slot) in enumerate(zip(sent, declared)):
                if not slot.accepts(item):
                    raise mismatch(f"{key}[{position}]")
        if callback.get("no_output"):
            return
        sent_outputs = body.get("outputs", [])
        if signature.outputs is None:
            # Properties are compared below with Dash's own check, which knows
            # about allow_duplicate suffixes.
            shape_ok = _Slot.from_output(callback["output"]).accepts(sent_outputs, False)
        else:
            shape_ok = (
                isinstance(sent_outputs, list)
                and len(sent_outputs) == len(signature.outputs)
                and all(s.accepts(o, False) for s, o in zip(signature.outputs, sent_outputs))
            )
        if not shape_ok:
            raise mismatch("'outputs'")
        try:
            _validate.validate_output_spec(callback["output"], sent_outputs, Output)
        except CallbackException:
            raise mismatch("'outputs'") from None

    def _check_background_handles(self) -> None:
        """Refuse polls whose job handles this server did not sign for this page.

        Dash 4.4.1 ignores forged ``cacheKey``/``job`` handles silently; a
        client sending one gets a clear 403 here instead.
        """
        args = request.args
        if "cacheKey" not in args and "job" not in args:
            return
        secret = self.dash_app._get_signing_secret()
        end_id = _callback.get_request_end_id(secret)
        checks = (
            (_callback_signing.cache_scope, "cacheKey"),
            (_callback_signing.job_scope, "job"),
        )
        if end_id is None or any(
            _callback_signing.unsign(secret, scope(end_id), args.get(name)) is None
            for scope, name in checks
        ):
            raise ClientError(
                403,
                "invalid_job_handle",
                "The background job handles were not issued for this page load.",
            )

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
        stream = self._stream_for(output, callback)
        if stream is not None:
            context.dash_websocket = stream  # Dash's set_props streams through it
        try:
            if callback.get("background"):
                # Starting and polling a job reads the manager's store and may
                # fork a process: blocking work, even for an async callback.
                self._check_background_handles()
                data = await run_sync(_run_to_completion, call)
            elif inspect.iscoroutinefunction(func):
                data = await call()
            else:
                data = await run_sync(call)
        finally:
            if stream is not None:
                await stream.close()  # partial updates go out before the answer
        channel = self.blueprint.channel_callbacks.get(output)
        if channel is not None:
            await self.blueprint.publish_response(channel, data)
        response = Response(data, content_type="application/json")
        return context.dash_response.apply_to(response)

    def _stream_for(self, output: str, callback: dict[str, Any]) -> SessionStream | None:
        """A stream to the caller's browser, for callbacks that stream."""
        streams = (
            output in self.blueprint.streaming_callbacks
            or callback.get("websocket")
            or self.dash_app._websocket_callbacks
        )
        session = session_id() if streams else None
        return SessionStream(self.blueprint, session) if session else None
