"""A progress bar driven by a background callback, with a cancel button.

The job runs in its own process (DiskcacheManager); the browser polls for
progress, and polling never blocks the server's event loop.

    python examples/background_progress.py      # http://127.0.0.1:8050/
"""

from __future__ import annotations

import tempfile
import time

import diskcache
from dash import DiskcacheManager

from quart_flash import Flash, Input, Output, html

cache = diskcache.Cache(tempfile.mkdtemp(prefix="flash-background-"))
app = Flash(__name__, background_callback_manager=DiskcacheManager(cache), title="Progress")
server = app.server
STEPS = 10

app.layout = html.Div(
    [
        html.H1("Crunching numbers"),
        html.Button("Start", id="start"),
        html.Button("Cancel", id="cancel"),
        html.Progress(id="bar", value="0", max=str(STEPS)),
        html.Div(id="status", children="not started"),
    ]
)


@app.callback(
    Output("status", "children"),
    Input("start", "n_clicks"),
    background=True,
    running=[
        (Output("start", "disabled"), True, False),
        (Output("cancel", "disabled"), False, True),
    ],
    cancel=Input("cancel", "n_clicks"),
    progress=[Output("bar", "value"), Output("bar", "max")],
    interval=200,
    prevent_initial_call=True,
)
def crunch(set_progress, n_clicks):
    for step in range(1, STEPS + 1):
        time.sleep(0.2)
        set_progress((str(step), str(STEPS)))
    return f"finished run {n_clicks}"


if __name__ == "__main__":
    app.run()
