import dash
from dash import html

dash.register_page(__name__, path="/", name="North home")

layout = html.H1("North office", id="heading")
