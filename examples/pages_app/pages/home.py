import dash
from dash import dcc, html

dash.register_page(__name__, path="/", title="Inventory", description="Stock levels")

layout = html.Div(
    [
        html.H1("Inventory", id="heading"),
        html.Ul(
            [
                html.Li(dcc.Link(f"Warehouse {n}", href=dash.get_relative_path(f"/warehouse/{n}")))
                for n in (1, 2, 3)
            ]
        ),
    ]
)
