"""Twenty slow panels that load as they scroll into view: ``LazyLoad``.

Each panel's loader awaits a (simulated) 0.3 s database query; the page
shows at once, the panels on screen load concurrently, the rest when they
are scrolled to.  The last block is static content whose rendering is
simply deferred until it is seen.

    hypercorn examples.lazy_panels:app     # then open http://127.0.0.1:8000/
"""

from __future__ import annotations

import asyncio
import time
from functools import partial

from quart import Quart

from quart_flash import FlashBlueprint, LazyLoad, html

PANELS = 20
QUERY_SECONDS = 0.3

app = Quart(__name__)
dashboard = FlashBlueprint("lazy", __name__, title="Lazy panels")


async def load_panel(number: int) -> html.Div:
    await asyncio.sleep(QUERY_SECONDS)  # stands for the panel's database call
    return html.Div(
        [html.H3(f"Panel {number}"), html.P(f"loaded at {time.strftime('%H:%M:%S')}")],
        className="loaded",
    )


dashboard.layout = html.Div(
    [html.H1("Lazy panels")]
    + [
        LazyLoad(
            id=f"panel-{number}",
            loader=partial(load_panel, number),
            placeholder="loading...",
            offset="0px",
            style={"height": "320px", "border": "1px solid #ccc", "margin": "8px"},
        )
        for number in range(1, PANELS + 1)
    ]
    + [
        LazyLoad(
            html.Div("rendered when seen", id="static-content", className="loaded"),
            id="static-panel",
            placeholder="not yet",
        )
    ]
)
app.register_blueprint(dashboard)
