import dash
from dash import html

dash.register_page(__name__, title="Beta settings")

layout = html.H1("beta settings", id="heading")
