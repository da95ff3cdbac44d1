"""Why async callbacks: three slow API calls, made one after another or at once.

The ``def`` callback waits for each call in turn (about 3 s) and holds a
worker thread meanwhile; the ``async def`` callback awaits all three together
with ``asyncio.gather`` (about 1 s) and holds no thread at all.  Both leave
the server free for other users: quart-flash runs ``def`` callbacks in a
thread pool, never on the event loop.

    python examples/async_callbacks.py      # http://127.0.0.1:8050/
"""

from __future__ import annotations

import asyncio
import time

from quart_flash import Flash, Input, Output, dcc, html

app = Flash(__name__, title="async vs sync")
server = app.server
CALL_SECONDS = 1.0

app.layout = html.Div(
    [
        html.H1("Three API calls of one second each"),
        html.Button("Run both", id="run"),
        dcc.Loading(html.Div(id="sync-result")),
        dcc.Loading(html.Div(id="async-result")),
    ]
)


def fetch_blocking(name: str) -> str:
    time.sleep(CALL_SECONDS)
    return name


async def fetch(name: str) -> str:
    await asyncio.sleep(CALL_SECONDS)
    return name


@app.callback(
    Output("sync-result", "children"), Input("run", "n_clicks"), prevent_initial_call=True
)
def run_sync(_: int) -> str:
    start = time.perf_counter()
    names = [fetch_blocking(n) for n in ("users", "orders", "stock")]
    return f"def callback: {', '.join(names)} in {time.perf_counter() - start:.2f} s"


@app.callback(
    Output("async-result", "children"), Input("run", "n_clicks"), prevent_initial_call=True
)
async def run_async(_: int) -> str:
    start = time.perf_counter()
    names = await asyncio.gather(*(fetch(n) for n in ("users", "orders", "stock")))
    return f"async def callback: {', '.join(names)} in {time.perf_counter() - start:.2f} s"


if __name__ == "__main__":
    app.run(debug=False)
