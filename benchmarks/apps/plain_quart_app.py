"""The ceiling: plain Quart routes answering what the callbacks answer."""

import asyncio

from dash._utils import to_json
from quart import Quart, Response, request

from benchmarks import workload

app = Quart(__name__)
LAYOUT = workload.layout()  # built once, serialized per request as Dash does


@app.post("/_dash-update-component")
async def answer() -> Response:
    body = await request.get_json()
    name = body["output"].split("-out", 1)[0]
    if name == "async":
        await asyncio.sleep(workload.SLOW_ASYNC_SECONDS)
    payload = workload.big_divs() if name == "big" else body["inputs"][0]["value"]
    data = to_json({"multi": True, "response": {f"{name}-out": {"children": payload}}})
    return Response(data, content_type="application/json")


@app.get("/_dash-layout")
async def layout() -> Response:
    return Response(to_json(LAYOUT), content_type="application/json")


@app.route("/ping")
async def ping() -> str:
    return "pong"
