"""A classic Dash app; the only change is the import line.

Before:  from dash import Dash, Input, Output, callback, dcc, html
After:   from quart_flash import Flash as Dash, Input, Output, callback, dcc, html

    python examples/drop_in.py                   # app.run(), http://127.0.0.1:8050/
    hypercorn examples/drop_in:app               # the Flash object is ASGI
    hypercorn examples/drop_in:server            # or its Quart app
    quart --app examples/drop_in.py run          # Quart's CLI finds `server`
"""

from quart_flash import Flash as Dash
from quart_flash import Input, Output, callback, dcc, html

app = Dash(__name__, title="Drop-in")
server = app.server

app.layout = html.Div(
    [
        html.H1("Temperature converter"),
        dcc.Input(id="celsius", type="number", value=20),
        html.Div(id="fahrenheit"),
    ]
)


@callback(Output("fahrenheit", "children"), Input("celsius", "value"))
def convert(celsius):
    if celsius is None:
        return "enter a temperature"
    return f"{celsius} °C = {celsius * 9 / 5 + 32:.1f} °F"


if __name__ == "__main__":
    app.run(debug=True)
