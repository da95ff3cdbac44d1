import dash
from dash import html

dash.register_page(__name__, path="/", title="Beta home")


def layout():
    names = sorted(p["name"] for p in dash.page_registry.values())
    return html.Div(
        [html.H1("beta home", id="heading"), html.Div(", ".join(names), id="page-names")]
    )
