import dash
from dash import dcc, html

dash.register_page(__name__, path="/", title="Alpha home", description="The alpha app")


def layout(**query):
    names = sorted(p["name"] for p in dash.page_registry.values())
    return html.Div(
        [
            html.H1("alpha home", id="heading"),
            html.Div(", ".join(names), id="page-names"),
            html.Div(str(query), id="query"),
            dcc.Link("report 7", href=dash.get_relative_path("/report/7"), id="to-report"),
        ]
    )
