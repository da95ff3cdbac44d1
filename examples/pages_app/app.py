"""Dash Pages on quart-flash: a pages folder, async page layouts, path variables.

python examples/pages_app/app.py            # http://127.0.0.1:8050/
hypercorn examples/pages_app/app:app
"""

from __future__ import annotations

import dash

from quart_flash import Flash, dcc, html

app = Flash(__name__, use_pages=True, title="Inventory")
server = app.server

app.layout = html.Div(
    [
        html.Nav(
            [
                dcc.Link(page["name"], href=page["relative_path"], style={"marginRight": "1em"})
                for page in dash.page_registry.values()
                if page["module"] != "pages.not_found_404"
            ]
        ),
        dash.page_container,
    ]
)

if __name__ == "__main__":
    app.run()
