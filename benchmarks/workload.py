"""The one Dash app every server flavour serves, so they do the same work.

``install(app)`` puts the layout and callbacks on anything with Dash's
``layout``/``callback`` API: ``dash.Dash`` (on Flask or on Dash's own Quart
backend) or a quart-flash ``FlashBlueprint``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from dash import Input, Output, html

SLOW_ASYNC_SECONDS = 0.1
SLOW_SYNC_SECONDS = 0.1
BLOCKING_SECONDS = 0.5
BIG = 2000


def big_divs() -> list[Any]:
    return [html.Div(f"row {i}", id=f"row-{i}", className="row") for i in range(BIG)]


# Built once: the workload measures serializing components, not Dash's
# Component constructor (about 12 us per Div, the same in every flavour).
BIG_DIVS = big_divs()


def layout() -> html.Div:
    """About 2,000 components, plus the inputs and outputs the workloads use."""
    ids = ["trivial", "async", "sync", "blocking", "big"]
    return html.Div(
        [html.Div(id=f"{name}-in") for name in ids]
        + [html.Div(id=f"{name}-out") for name in ids]
        + [html.Div(big_divs(), id="rows")]
    )


def install(app: Any) -> None:
    app.layout = layout()

    @app.callback(Output("trivial-out", "children"), Input("trivial-in", "children"))
    def trivial(value: Any) -> Any:
        return value

    @app.callback(Output("async-out", "children"), Input("async-in", "children"))
    async def waits(value: Any) -> Any:
        await asyncio.sleep(SLOW_ASYNC_SECONDS)
        return value

    @app.callback(Output("sync-out", "children"), Input("sync-in", "children"))
    def blocks_briefly(value: Any) -> Any:
        time.sleep(SLOW_SYNC_SECONDS)
        return value

    @app.callback(Output("blocking-out", "children"), Input("blocking-in", "children"))
    def blocks(value: Any) -> Any:
        time.sleep(BLOCKING_SECONDS)
        return value

    @app.callback(Output("big-out", "children"), Input("big-in", "children"))
    def big(value: Any) -> Any:
        return BIG_DIVS


def body(name: str, value: Any = 1) -> dict[str, Any]:
    """The request dash-renderer sends for the callback ``name``."""
    return {
        "output": f"{name}-out.children",
        "outputs": {"id": f"{name}-out", "property": "children"},
        "inputs": [{"id": f"{name}-in", "property": "children", "value": value}],
        "changedPropIds": [f"{name}-in.children"],
    }


TRIVIAL_ANSWER = '{"multi":true,"response":{"trivial-out":{"children":1}}}'
