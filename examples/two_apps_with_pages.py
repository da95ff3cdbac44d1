"""Two Dash apps with their own pages folders on one Quart app.

Each FlashBlueprint has its own page registry: /north/ and /south/ never list,
route to or render each other's pages.

    hypercorn examples/two_apps_with_pages:app     # http://127.0.0.1:8000/north/
"""

from __future__ import annotations

import dash
from quart import Quart

from quart_flash import FlashBlueprint, dcc, html

app = Quart(__name__)


def menu_layout() -> html.Div:
    """Shared by both apps; ``dash.page_registry`` is the serving app's own."""
    return html.Div(
        [
            html.Nav(
                [
                    dcc.Link(page["name"], href=page["relative_path"], style={"marginRight": "1em"})
                    for page in dash.page_registry.values()
                ],
                id="menu",
            ),
            dash.page_container,
        ]
    )


for region in ("north", "south"):
    region_app = FlashBlueprint(
        region,
        __name__,
        use_pages=True,
        pages_folder=f"two_apps_pages/{region}",
        title=region.title(),
    )
    region_app.layout = menu_layout
    app.register_blueprint(region_app, url_prefix=f"/{region}")
