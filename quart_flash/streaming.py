"""Streaming callbacks: an ``async def`` generator whose values reach the browser as yielded.

Dash's callback machinery wants one return value, so the generator is
wrapped in a coroutine that sends every yielded value to the caller's browser
(through ``ctx.websocket``, the session stream set up by dispatch) and
returns the last one as the callback's answer.
"""

from __future__ import annotations

import functools
from typing import Any, AsyncIterator, Callable

from dash._callback_context import callback_context
from dash._no_update import NoUpdate
from dash._utils import clean_property_name, stringify_id


def output_updates(value: Any, outputs: Any) -> list[dict[str, Any]]:
    """Pair a callback value with its outputs, as props updates (no_update skipped)."""
    if isinstance(outputs, dict):
        pairs: list[tuple[Any, Any]] = [(value, outputs)]
    else:
        pairs = list(zip(value, outputs))
    updates = []
    for item, spec in pairs:
        if isinstance(spec, list):  # ALL / ALLSMALLER: one value per matched component
            updates.extend(output_updates(list(item), spec))
        elif not NoUpdate.is_no_update(item):
            prop = clean_property_name(spec["property"])
            updates.append({"id": stringify_id(spec["id"]), "props": {prop: item}})
    return updates


def stream_outputs(func: Callable[..., AsyncIterator[Any]]) -> Callable[..., Any]:
    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> Any:
        last: Any = NoUpdate()
        stream = callback_context.websocket
        async for value in func(*args, **kwargs):
            last = value
            if stream is not None:
                stream.send_updates(output_updates(value, callback_context.outputs_list))
        return last

    return run
