"""Running one server-side callback for ``POST _dash-update-component``.

Dash's own callback wrapper (``add_context`` / ``async_add_context``, built
when the callback is registered) does the Dash part: argument grouping,
``on_error``, output validation, ``sideUpdate``, JSON.  This module does the
server part around it: read and check the request, build the callback
context, then *await* an ``async def`` callback on the loop or run a plain
``def`` one in the bounded thread pool, so the loop never blocks.

The callback context is the object Dash's ``_initialize_context`` and
``_prepare_callback`` build, built here by :func:`build_context` without
their per-request detours: they set it one attribute at a time through
``AttributeDict.__setattr__``, stringify every component id twice, read the
request through an adapter whose every property is a proxy lookup, and work
out per request what depends on the callback alone.  For a trivial callback
that was a third of the request's Python time.  The result is the same
object: the same keys in the same order, equal values of the same types, the
same exceptions (``tests/test_fast_path.py`` compares the two over many
request shapes); what depends on the callback alone is in :class:`CallbackPlan`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dash import _callback, _callback_signing, _validate
from dash._grouping import grouping_len, map_grouping
from dash._utils import AttributeDict, split_callback_id, stringify_id
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
    single: _Slot | None  # that one output

    @classmethod
    def of(cls, callback: dict[str, Any]) -> _Signature:
        declared = callback["output"]
        many = isinstance(declared, (list, tuple))
        return cls(
            [_Slot.from_spec(s) for s in callback["inputs"]],
            [_Slot.from_spec(s) for s in callback["state"]],
            [_Slot.from_output(o) for o in declared] if many else None,
            None if many or callback.get("no_output") else _Slot.from_output(declared),
        )


def _using_grouping(indices: Any) -> bool:
    """Dash's ``using_grouping`` for non-empty data (``Dash._prepare_grouping``)."""
    return not isinstance(indices, int) and indices != list(range(grouping_len(indices)))


def _is_flat(indices: Any) -> bool:
    """A list of plain ints: ``map_grouping`` over it is a list comprehension."""
    return isinstance(indices, list) and all(type(i) is int for i in indices)


class CallbackPlan:
    """What one registered callback needs per request, worked out once."""

    __slots__ = (
        "callback",
        "func",
        "is_async",
        "background",
        "signature",
        "args_indices",
        "args_flat",
        "using_args",
        "outputs_indices",
        "outputs_flat",
        "using_outputs",
        "valid_outputs",
    )

    def __init__(self, callback: dict[str, Any]) -> None:
        self.callback = callback
        self.func = callback["callback"]
        self.is_async = inspect.iscoroutinefunction(self.func)
        self.background = callback.get("background")
        self.signature = _Signature.of(callback)
        self.args_indices = callback["inputs_state_indices"]
        self.args_flat = _is_flat(self.args_indices)
        self.using_args = _using_grouping(self.args_indices)
        self.outputs_indices = callback.get("outputs_indices", [])
        self.outputs_flat = _is_flat(self.outputs_indices)
        self.using_outputs = _using_grouping(self.outputs_indices)
        # Sent output specs Dash's validate_output_spec accepted, by
        # _fingerprint: for string ids a callback has only a few.
        self.valid_outputs: set[tuple[str, ...]] = set()

    def current(self, callback: dict[str, Any]) -> bool:
        """Still valid for this callback-map entry (not replaced or rewrapped)?"""
        return self.callback is callback and self.func is callback["callback"]


def _fingerprint(outputs: Any) -> tuple[str, ...] | None:
    """The sent output specs as a hashable key, when every id is a string
    (wildcard ids are dicts, and their values vary per request)."""
    key: list[str] = []
    for item in outputs if isinstance(outputs, list) else (outputs,):
        for spec in item if isinstance(item, list) else (item,):
            component_id, prop = spec.get("id"), spec.get("property")
            if type(component_id) is not str or type(prop) is not str:
                return None
            key += (component_id, prop)
    return tuple(key)


def _grouping(flat: list[Any], indices: Any, is_flat: bool, using: bool) -> tuple[Any, bool]:
    """``Dash._prepare_grouping(flat, indices)`` with ``using`` worked out once."""
    if not flat:
        return [], False
    if is_flat:
        return [flat[i] for i in indices], using
    return map_grouping(lambda ind: flat[ind], indices), using


def _values(items: list[Any], ids: list[str]) -> AttributeDict:
    """``dash._utils.inputs_to_dict``; appends each entry's ``stringify_id`` to ``ids``."""
    values = AttributeDict()
    setitem = dict.__setitem__
    for item in items:
        for entry in item if isinstance(item, list) else (item,):
            str_id = stringify_id(entry["id"])
            ids.append(str_id)
            setitem(values, f"{str_id}.{entry['property']}", entry.get("value"))
    return values


def _grouped(entry: dict[str, Any], str_id: str, changed: Any) -> AttributeDict:
    """``AttributeDict(entry)`` after ``dash._grouping.update_args_group``."""
    group = AttributeDict(entry)
    component_id = entry["id"]
    dict.update(
        group,
        value=entry.get("value"),
        str_id=str_id,
        triggered=f"{str_id}.{entry['property']}" in changed,
        id=AttributeDict(component_id) if isinstance(component_id, dict) else component_id,
    )
    return group


def _read_headers(headers: Any) -> tuple[dict[str, str], dict[str, str]]:
    """``dict(headers)`` in one pass, and the same by lower-cased name.

    ``dict()`` of werkzeug's ``Headers`` looks every name up again by a
    case-insensitive scan, which finds the first value of a repeated header,
    and ``Headers.get`` of an absent header raises and catches an HTTP
    exception.
    """
    first: dict[str, str] = {}
    by_lower: dict[str, str] = {}
    for name, value in headers.items():
        value = by_lower.setdefault(name.lower(), value)
        first.setdefault(name, value)
    return first, by_lower


def build_context(
    dash_app: Any, body: dict[str, Any], plan: CallbackPlan
) -> tuple[AttributeDict, Any]:
    """``g = dash_app._initialize_context(body)``, then ``dash_app._prepare_callback(g, body)``.

    Returns ``(g, func)``.  Must be called in the request's context.
    """
    # -- as Dash._initialize_context -------------------------------------------
    inputs_list = body.get("inputs", [])
    states_list = body.get("state", [])
    outputs_list = body.get("outputs", [])
    ids: list[str] = []  # stringify_id of every input and state entry, in order
    input_values = _values(inputs_list, ids)
    state_values = _values(states_list, ids)
    value_of = input_values.get
    triggered_inputs = [
        {"prop_id": x, "value": value_of(x)} for x in body.get("changedPropIds", [])
    ]
    req = request._get_current_object()  # type: ignore[attr-defined]
    headers, by_lower = _read_headers(req.headers)
    context = AttributeDict(
        inputs_list=inputs_list,
        states_list=states_list,
        outputs_list=outputs_list,
        input_values=input_values,
        state_values=state_values,
        triggered_inputs=triggered_inputs,
        dash_response=dash_app.backend.response_adapter(),
        cookies=dict(req.cookies) if "cookie" in by_lower else {},
        headers=headers,
        args=req.args,
        path=req.full_path,
        remote=req.remote_addr,
        origin=by_lower.get("origin"),
        updated_props={},
    )

    # -- as Dash._prepare_callback ---------------------------------------------
    output = body["output"]
    callback = plan.callback
    setitem = dict.__setitem__  # a fresh AttributeDict: nothing is read-only
    try:
        func = callback["callback"]
        manager = callback.get("manager") or dash_app._background_manager
        setitem(context, "background_callback_manager", manager)
        setitem(context, "ignore_register_page", callback.get("background", False))
        changed = body.get("changedPropIds", [])
        inputs_state: list[Any] = []
        position = 0
        for item in inputs_list + states_list:
            if isinstance(item, dict):
                inputs_state.append(_grouped(item, ids[position], changed))
                position += 1
            else:
                group = []
                for entry in item:
                    group.append(_grouped(entry, ids[position], changed))
                    position += 1
                inputs_state.append(group)
        if callback.get("no_output"):
            setitem(context, "outputs_list", [])
        elif not outputs_list:
            split_callback_id(output)  # legacy renderers; kept for its errors
        grouping = _grouping(inputs_state, plan.args_indices, plan.args_flat, plan.using_args)
        setitem(context, "args_grouping", grouping[0])
        setitem(context, "using_args_grouping", grouping[1])
        outputs = context["outputs_list"]
        flat_outputs = outputs if isinstance(outputs, list) else [outputs]
        grouping = _grouping(
            flat_outputs, plan.outputs_indices, plan.outputs_flat, plan.using_outputs
        )
        setitem(context, "outputs_grouping", grouping[0])
        setitem(context, "using_outputs_grouping", grouping[1])
    except KeyError as e:
        raise KeyError(f"Callback function not found for output '{output}'.") from e
    return context, func


class CallbackDispatcher:
    """Dispatches callback requests for one Dash app."""

    def __init__(self, blueprint: FlashBlueprint, max_body_size: int | None) -> None:
        self.blueprint = blueprint
        self.dash_app = blueprint.dash_app
        self.max_body_size = max_body_size
        self._plans: dict[str, CallbackPlan] = {}

    def plan_for(self, output: str, callback: dict[str, Any]) -> CallbackPlan:
        plan = self._plans.get(output)
        if plan is None or not plan.current(callback):
            plan = self._plans[output] = CallbackPlan(callback)
        return plan

    async def read_body(self) -> dict[str, Any]:
        limit = self.max_body_size
        if limit is not None and (request.content_length or 0) > limit:
            raise ClientError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        raw: bytes = await request.get_data(cache=False, as_text=False)  # type: ignore[assignment]
        if limit is not None and len(raw) > limit:
            raise ClientError(413, "request_too_large", f"The body exceeds {limit} bytes.")
        return parse_callback_request(raw)

    def _check_against_spec(self, body: dict[str, Any], plan: CallbackPlan) -> None:
        output = body["output"]
        callback = plan.callback
        signature = plan.signature

        def mismatch(what: str) -> ClientError:  # only called to fail
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
            assert signature.single is not None
            shape_ok = signature.single.accepts(sent_outputs, False)
        else:
            shape_ok = (
                isinstance(sent_outputs, list)
                and len(sent_outputs) == len(signature.outputs)
                and all(s.accepts(o, False) for s, o in zip(signature.outputs, sent_outputs))
            )
        if not shape_ok:
            raise mismatch("'outputs'")
        fingerprint = _fingerprint(sent_outputs)
        if fingerprint in plan.valid_outputs:
            return
        try:
            _validate.validate_output_spec(callback["output"], sent_outputs, Output)
        except CallbackException:
            raise mismatch("'outputs'") from None
        if fingerprint is not None:
            plan.valid_outputs.add(fingerprint)

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
        plan = self.plan_for(output, callback)
        self._check_against_spec(body, plan)
        g.quart_flash_output = output

        # pylint: disable=protected-access
        context, func = build_context(dash_app, body, plan)
        args = dash_app._inputs_to_vals(context.inputs_list + context.states_list)
        call = dash_app._execute_callback(func, args, context.outputs_list, context)
        stream = self._stream_for(output, callback)
        if stream is not None:
            context.dash_websocket = stream  # Dash's set_props streams through it
        try:
            if plan.background:
                # Starting and polling a job reads the manager's store and may
                # fork a process: blocking work, even for an async callback.
                self._check_background_handles()
                data = await run_sync(_run_to_completion, call)
            elif plan.is_async:
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
