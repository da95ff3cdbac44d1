"""Dash 4's own Quart backend (hypercorn)."""

import os

import dash
from quart import Quart

from benchmarks import workload

app = Quart(__name__)
dash_app = dash.Dash(__name__, server=app)
workload.install(dash_app)


@app.route("/ping")
async def ping() -> str:
    """The serving process's PID: the benchmark reads its memory."""
    return str(os.getpid())
