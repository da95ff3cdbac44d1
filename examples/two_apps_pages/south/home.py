import dash
from dash import html

dash.register_page(__name__, path="/", name="South home")

layout = html.H1("South office", id="heading")
