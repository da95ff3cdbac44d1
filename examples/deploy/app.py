"""A production-shaped quart-flash service: two dashboards on one Quart app.

* ``/reports/``: builds a quarterly report in a background callback that runs
  in a Celery worker (Redis is broker and result store), so slow work never
  occupies a web worker.
* ``/live/``: a board that every open browser sees change at once: a channel
  callback (a note typed by anyone) and ``POST /api/announce`` push over the
  channels websocket, through Redis, so browsers on every worker get them.
* ``/reports/health`` and ``/live/health`` answer ``OK`` for load balancers;
  ``/api/status`` is a plain JSON route beside the dashboards.

Both processes import this module, which is how Celery finds the job:

    hypercorn --config hypercorn.toml app:app
    celery -A app:celery_app worker --loglevel=INFO

Configuration comes from the environment; the defaults suit a laptop with a
local Redis:

``REDIS_URL``
    Celery broker and results, and the channels broker of every web worker
    (default ``redis://127.0.0.1:6379/0``).
``SECRET_KEY``
    Signs background-job handles; every web worker must have the same one.
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery
from dash import CeleryManager
from quart import Quart, request

from quart_flash import (
    Channel,
    FlashBlueprint,
    Input,
    Output,
    PublishError,
    State,
    dcc,
    html,
)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    logging.getLogger(__name__).warning("SECRET_KEY is not set: using an insecure development key")
    SECRET_KEY = "insecure-development-key"

celery_app = Celery(__name__, broker=REDIS_URL, backend=REDIS_URL)
celery_app.conf.broker_connection_retry_on_startup = True

app = Quart(__name__)
app.secret_key = SECRET_KEY
app.config["QUART_FLASH_REDIS_URL"] = REDIS_URL  # channels reach every worker process

# -- reports: a quick async callback and a slow background one ---------------------
ORDERS = {"2025-Q1": 1204, "2025-Q2": 1377, "2025-Q3": 1291, "2025-Q4": 1650}
SECTIONS = ("orders", "returns", "margins")

reports = FlashBlueprint(
    "reports",
    __name__,
    url_prefix="/reports",
    title="Quarterly reports",
    health_endpoint="health",
    background_callback_manager=CeleryManager(celery_app, expire=3600),
)
reports.layout = html.Div(
    [
        html.H1("Quarterly reports"),
        dcc.Dropdown(list(ORDERS), "2025-Q1", id="quarter", clearable=False),
        html.P(id="summary"),
        html.Button("Build report", id="build"),
        html.P(id="progress"),
        html.P(id="report"),
    ]
)


@reports.callback(Output("summary", "children"), Input("quarter", "value"))
async def summarize(quarter: str) -> str:
    """Quick answers stay in the web worker, awaited on its event loop."""
    return f"{quarter}: {ORDERS[quarter]:,} orders"


@reports.callback(
    Output("report", "children"),
    Input("build", "n_clicks"),
    State("quarter", "value"),
    background=True,
    progress=Output("progress", "children"),
    running=[(Output("build", "disabled"), True, False)],
    interval=250,
    prevent_initial_call=True,
)
def build_report(set_progress, n_clicks: int, quarter: str) -> str:  # type: ignore[no-untyped-def]
    """Runs in the Celery worker: a web worker only starts it and answers polls."""
    for done, section in enumerate(SECTIONS, 1):
        time.sleep(0.3)  # stands in for a slow query
        set_progress(f"{done}/{len(SECTIONS)}: {section}")
    return f"Report {quarter}: {ORDERS[quarter]:,} orders in {len(SECTIONS)} sections"


# -- live: pushes to every open browser, whichever worker holds its websocket ------
live = FlashBlueprint(
    "live", __name__, url_prefix="/live", title="Live board", health_endpoint="health"
)
live.layout = html.Div(
    [
        Channel("board"),  # this page subscribes to the "board" channel
        html.H1("Live board"),
        html.P(id="announcement"),
        dcc.Input(id="note", placeholder="a note for everyone", debounce=True),
        html.P(id="latest-note"),
    ]
)


@live.callback(
    Output("latest-note", "children"),
    Input("note", "value"),
    channel="board",
    prevent_initial_call=True,
)
async def share_note(note: str) -> str:
    """A channel callback: its output goes to every browser on the board."""
    return f"latest note: {note}"


# -- the service's own routes ------------------------------------------------------
@app.get("/api/status")
async def status() -> dict[str, object]:
    """Plain JSON beside the dashboards; URLs follow the proxy's root path."""
    root = request.root_path.rstrip("/")
    return {
        "dashboards": {name: f"{root}/{name}/" for name in ("reports", "live")},
        "worker": os.getpid(),
    }


@app.post("/api/announce")
async def announce() -> tuple[dict[str, object], int]:
    """Show a message on every open board (put authentication in front of it)."""
    text = str((await request.get_json(force=True) or {}).get("text", ""))[:500]
    try:
        await live.publish("board", {"announcement": {"children": text}})
    except PublishError as exc:  # Redis is down: say so rather than pretend
        return {"published": False, "error": str(exc)}, 503
    return {"published": True, "worker": os.getpid()}, 200


app.register_blueprint(reports)
app.register_blueprint(live)
