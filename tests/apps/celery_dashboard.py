"""A dashboard whose background callbacks run in a Celery worker (Redis broker).

Both the web server (``hypercorn tests.apps.celery_dashboard:app``) and the
worker (``celery -A tests.apps.celery_dashboard:celery_app worker``) import this module,
which is how Dash's CeleryManager finds the job functions.
"""

from __future__ import annotations

import os
import time

from celery import Celery
from dash import CeleryManager
from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, State, dcc, html

REDIS_URL = os.environ.get("FLASH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

celery_app = Celery(__name__, broker=REDIS_URL, backend=REDIS_URL)
# Each test run has its own queue, so tasks left over from an interrupted run
# are never picked up.
celery_app.conf.task_default_queue = os.environ.get("FLASH_TEST_CELERY_QUEUE", "celery")
celery_app.conf.broker_connection_retry_on_startup = True
manager = CeleryManager(celery_app, expire=60)

app = Quart(__name__)
app.secret_key = "shared-by-every-worker"  # so handles verify on any worker
reports = FlashBlueprint(
    "reports", __name__, url_prefix="/reports", background_callback_manager=manager
)
reports.layout = html.Div(
    [dcc.Input(id="name"), html.Button(id="go"), html.Div(id="out"), html.Div(id="progress")]
)


@reports.callback(
    Output("out", "children"),
    Input("go", "n_clicks"),
    State("name", "value"),
    background=True,
    progress=Output("progress", "children"),
    interval=100,
    prevent_initial_call=True,
)
def build_report(set_progress, n_clicks, name):
    for step in range(3):
        set_progress(f"{step + 1}/3")
        time.sleep(0.1)
    return f"report for {name} built by pid {os.getpid()}"


app.register_blueprint(reports)
