"""Building blocks for HTTP-level tests: callback request bodies like dash-renderer's."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from quart_flash.testing import FlashBrowser, HypercornProcess, stop_group, subscribe_channels

ROOT = Path(__file__).resolve().parents[1]


def prop(component_id: Any, prop_name: str, value: Any = None) -> dict[str, Any]:
    return {"id": component_id, "property": prop_name, "value": value}


def out(component_id: Any, prop_name: str = "children") -> dict[str, Any]:
    """One entry of a callback body's ``outputs``."""
    return {"id": component_id, "property": prop_name}


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


def dash_config(index_html: str) -> dict[str, Any]:
    """The ``_dash-config`` JSON embedded in an index page."""
    import re

    match = re.search(
        r'<script id="_dash-config" type="application/json">(.*?)</script>', index_html
    )
    assert match, index_html[:500]
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def start_job(
    client: httpx.Client, prefix: str, end_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Start a background callback; returns Dash's signed handles."""
    resp = client.post(f"{prefix}/_dash-update-component", params={"endId": end_id}, json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def poll_job(
    client: httpx.Client,
    prefix: str,
    end_id: str,
    handles: dict[str, Any],
    body: dict[str, Any],
    timeout: float = 30,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Poll as dash-renderer does until the job answers.

    Returns the final body (``None`` when the job ended without output, as a
    cancelled one does) and every progress update seen on the way.
    """
    import time

    params = {"endId": end_id, "cacheKey": handles["cacheKey"], "job": handles["job"]}
    progress: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = client.post(f"{prefix}/_dash-update-component", params=params, json=body)
        if resp.status_code == 204:
            return None, progress
        assert resp.status_code == 200, resp.text
        data = resp.json()
        if "progress" in data:
            progress.append(data["progress"])
        if "response" in data:
            return data, progress
        time.sleep(0.05)
    raise AssertionError("the background job never finished")


def echo_and_total_app(name: str, **kwargs: Any) -> Any:
    """A FlashBlueprint with a State-using callback and an ALL-wildcard one.

    ``out`` echoes ``in/st``; ``total`` sums the ``{"type": "n"}`` inputs.
    """
    from quart_flash import ALL, FlashBlueprint, Input, Output, State, dcc, html

    bp = FlashBlueprint(name, __name__, url_prefix=f"/{name}", **kwargs)
    bp.layout = html.Div(
        [dcc.Input(id="in"), dcc.Input(id="st"), html.Div(id="out"), html.Div(id="total")]
    )

    @bp.callback(Output("out", "children"), Input("in", "value"), State("st", "value"))
    def echo(value: Any, state: Any) -> str:
        return f"{value}/{state}"

    @bp.callback(Output("total", "children"), Input({"type": "n", "index": ALL}, "value"))
    async def total(values: list[Any]) -> Any:
        return sum(v for v in values if isinstance(v, (int, float)))

    return bp


def app_callbacks(dependencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The app's own callbacks: without the LazyLoad loader every app carries."""
    return [d for d in dependencies if "quart-flash-lazy" not in d["output"]]


class BackgroundCommand:
    """A long-running command (a Celery worker...) in its own process group.

    Stopped by its PID's group, so children such as a prefork pool stop with
    it; its output goes to a file (a pipe nobody reads could fill and block
    it) and :meth:`stop` returns it for failure messages.
    """

    def __init__(
        self, argv: Sequence[str], *, cwd: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 - open until stop()

    def start(self) -> BackgroundCommand:
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self, timeout: float = 20) -> str:
        """SIGTERM (a warm shutdown for Celery), SIGKILL if it lingers; its output."""
        if self.process is not None:
            stop_group(self.process, signal.SIGTERM, timeout)
        self._output.seek(0)
        output = self._output.read().decode(errors="replace")
        self._output.close()
        return output


async def first_push(
    socket: Any, channels: list[str], publish: Callable[[], Awaitable[Any]]
) -> dict[str, Any]:
    """Subscribe a channels websocket, publish once, return the push it gets."""
    await subscribe_channels(socket, channels)
    await publish()
    return json.loads(await asyncio.wait_for(socket.recv(), 5))  # type: ignore[no-any-return]


async def wait_for_push(
    socket: Any, component_id: str, *children: Any, timeout: float = 5.0
) -> None:
    """Read pushes until ``component_id`` has got every one of ``children``, in
    any order; other pushes are skipped."""
    missing = list(children)
    seen: list[Any] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while missing:
        left = deadline - asyncio.get_running_loop().time()
        try:
            message = json.loads(await asyncio.wait_for(socket.recv(), max(left, 0)))
        except asyncio.TimeoutError:
            raise AssertionError(
                f"{component_id} never got {missing!r}; pushes seen: {seen}"
            ) from None
        assert message["type"] == "props", message
        for update in message["updates"]:
            seen.append(update)
            value = update["props"].get("children")
            if update["id"] == component_id and value in missing:
                missing.remove(value)


@contextlib.contextmanager
def example_in_a_browser(target: str, ready_path: str = "/") -> Iterator[FlashBrowser]:
    """An app of this repository under hypercorn, and a headless Chromium for it.

    Both are stopped afterwards, the server even when the browser fails to start.
    """
    server = HypercornProcess(target, cwd=str(ROOT)).start(ready_path)
    try:
        with FlashBrowser(server.url) as browser:
            yield browser
    finally:
        server.stop()
