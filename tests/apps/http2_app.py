"""Two dashboards and a publishing route, for the HTTP/2 tests (run by hypercorn)."""

from __future__ import annotations

from quart import Quart, request

from tests.helpers import echo_and_total_app

app = Quart(__name__)
dashboards = [echo_and_total_app("alpha"), echo_and_total_app("beta")]
for dashboard in dashboards:
    app.register_blueprint(dashboard)


@app.post("/publish/<name>")
async def publish(name: str) -> dict[str, bool]:
    """Push a prop to every browser of one dashboard subscribed to "news"."""
    text = (await request.get_json())["text"]
    target = next(d for d in dashboards if d.name == name)
    await target.publish("news", {"out": {"children": text}})
    return {"published": True}
