"""Stock Dash 4 on Flask (gunicorn gthread)."""

import os

import dash

from benchmarks import workload

dash_app = dash.Dash(__name__)
workload.install(dash_app)
app = dash_app.server


@app.route("/ping")
def ping() -> str:
    """The serving process's PID: the benchmark reads its memory."""
    return str(os.getpid())
