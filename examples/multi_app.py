"""Three Dash apps, a JSON API and a websocket on one Quart app.

Run it from a clone of the repository::

    pip install -e . && quart --app examples/multi_app.py run

then open http://127.0.0.1:5000/.  Or serve it with hypercorn::

    hypercorn examples/multi_app:app
"""

from __future__ import annotations

import asyncio
import random
import time

from quart import Quart, jsonify, websocket

from quart_flash import ALL, FlashBlueprint, Input, Output, State, ctx, dcc, html

app = Quart(__name__)
STARTED = time.time()

# -- sales: an async callback feeding a graph ------------------------------------
sales = FlashBlueprint("sales", __name__, url_prefix="/sales", title="Sales")
sales.layout = html.Div(
    [
        html.H1("Sales"),
        dcc.Dropdown(["north", "south", "east", "west"], "north", id="region", clearable=False),
        dcc.Graph(id="chart"),
        html.Div(id="summary"),
    ]
)


async def fetch_sales(region: str) -> list[int]:
    """Stands in for a database query: it waits without holding a thread."""
    await asyncio.sleep(0.05)
    rng = random.Random(region)
    return [rng.randint(50, 150) for _ in range(12)]


@sales.callback(Output("chart", "figure"), Output("summary", "children"), Input("region", "value"))
async def show_region(region: str) -> tuple[dict, str]:
    monthly = await fetch_sales(region)
    figure = {
        "data": [{"type": "bar", "x": list(range(1, 13)), "y": monthly, "name": region}],
        "layout": {"title": {"text": f"Monthly sales, {region}"}},
    }
    return figure, f"{region}: {sum(monthly)} units this year"


# -- ops: pattern-matching callbacks and a plain def callback ----------------------
ops = FlashBlueprint("ops", __name__, url_prefix="/ops", title="Ops")
ops.layout = html.Div(
    [
        html.H1("Ops checklist"),
        dcc.Input(id="task", placeholder="new task"),
        html.Button("Add", id="add"),
        html.Div(id="tasks", children=[]),
        html.Div(id="done-count"),
    ]
)


@ops.callback(
    Output("tasks", "children"),
    Input("add", "n_clicks"),
    State("task", "value"),
    State("tasks", "children"),
    prevent_initial_call=True,
)
def add_task(_: int, task: str | None, tasks: list) -> list:
    index = len(tasks)
    label = task or f"task {index + 1}"
    return tasks + [dcc.Checklist([label], [], id={"type": "check", "index": index})]


@ops.callback(Output("done-count", "children"), Input({"type": "check", "index": ALL}, "value"))
def count_done(values: list[list[str]]) -> str:
    done = sum(1 for v in values if v)
    return f"{done} of {len(values)} done"


# -- clock: an async layout (fresh per page load) and a clientside callback --------
clock = FlashBlueprint("clock", __name__, url_prefix="/clock", title="Clock")


async def clock_layout() -> html.Div:
    await asyncio.sleep(0)
    return html.Div(
        [
            html.H1("Clock"),
            html.Div(f"page rendered at {time.strftime('%H:%M:%S')}", id="rendered"),
            dcc.Interval(id="tick", interval=1000),
            html.Div(id="browser-time"),
            html.Div(id="server-uptime"),
        ]
    )


clock.layout = clock_layout
clock.clientside_callback(
    "function(n) { return 'browser time: ' + new Date().toLocaleTimeString(); }",
    Output("browser-time", "children"),
    Input("tick", "n_intervals"),
)


@clock.callback(Output("server-uptime", "children"), Input("tick", "n_intervals"))
async def uptime(n: int | None) -> str:
    return f"server up {time.time() - STARTED:.0f} s (tick {n}, triggered by {ctx.triggered_id})"


for blueprint in (sales, ops, clock):
    app.register_blueprint(blueprint)


# -- the user's own routes sit beside the dashboards -------------------------------
@app.route("/")
async def home() -> str:
    links = "".join(f'<li><a href="/{name}/">{name}</a></li>' for name in ("sales", "ops", "clock"))
    return f"<h1>Dashboards</h1><ul>{links}</ul><p><a href='/api/status'>API status</a></p>"


@app.route("/api/status")
async def status():  # type: ignore[no-untyped-def]
    return jsonify(dashboards=["sales", "ops", "clock"], uptime=round(time.time() - STARTED, 1))


@app.websocket("/ws/echo")
async def echo() -> None:
    while True:
        message = await websocket.receive()
        await websocket.send(f"echo: {message}")
