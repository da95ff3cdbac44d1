import dash
from dash import html

dash.register_page(__name__, name="Fjords")

layout = html.H1("Fjords", id="heading")
