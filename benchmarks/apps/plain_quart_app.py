"""The ceiling: plain Quart routes answering the JSON the callbacks answer.

Large answers are serialized once at start-up (with Dash's encoder, so the
bytes are Dash's): the ceiling is what answering the same JSON costs when
nothing has to be computed.
"""

import asyncio
import os

from dash._utils import to_json
from quart import Quart, Response, request

from benchmarks import workload

app = Quart(__name__)
LAYOUT = to_json(workload.layout())
BIG = to_json({"multi": True, "response": {"big-out": {"children": workload.BIG_DIVS}}})


@app.post("/_dash-update-component")
async def answer() -> Response:
    body = await request.get_json()
    name = body["output"].split("-out", 1)[0]
    if name == "big":
        return Response(BIG, content_type="application/json")
    if name == "async":
        await asyncio.sleep(workload.SLOW_ASYNC_SECONDS)
    value = body["inputs"][0]["value"]
    data = to_json({"multi": True, "response": {f"{name}-out": {"children": value}}})
    return Response(data, content_type="application/json")


@app.get("/_dash-layout")
async def layout() -> Response:
    return Response(LAYOUT, content_type="application/json")


@app.route("/ping")
async def ping() -> str:
    """The serving process's PID: the benchmark reads its memory."""
    return str(os.getpid())
