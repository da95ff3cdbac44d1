"""Building blocks for HTTP-level tests: callback request bodies like dash-renderer's."""

from __future__ import annotations

import json
from typing import Any

import httpx


def prop(component_id: Any, prop_name: str, value: Any = None) -> dict[str, Any]:
    return {"id": component_id, "property": prop_name, "value": value}


def prop_id(component_id: Any, prop_name: str) -> str:
    if isinstance(component_id, dict):
        component_id = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"{component_id}.{prop_name}"


def callback_body(
    output: str,
    outputs: Any,
    inputs: list[Any],
    state: list[Any] | None = None,
    changed: list[str] | None = None,
) -> dict[str, Any]:
    """The body dash-renderer POSTs to ``_dash-update-component``."""
    body: dict[str, Any] = {
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": changed if changed is not None else [],
    }
    if state is not None:
        body["state"] = state
    return body


def simple_call(
    client: httpx.Client, prefix: str, out: str, in_: str, value: Any, prop_name: str = "value"
) -> httpx.Response:
    """Fire the callback ``Output(out, 'children') <- Input(in_, prop_name)``."""
    body = callback_body(
        f"{out}.children",
        {"id": out, "property": "children"},
        [prop(in_, prop_name, value)],
        changed=[f"{in_}.{prop_name}"],
    )
    return client.post(f"{prefix}/_dash-update-component", json=body)


def response_of(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 200, (resp.status_code, resp.text)
    data = resp.json()
    assert data["multi"] is True
    return data["response"]  # type: ignore[no-any-return]
