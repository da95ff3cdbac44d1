import asyncio

import dash
from dash import Input, Output, callback, dcc, html


async def title(report_id=None):
    await asyncio.sleep(0)
    return f"Report {report_id}"


dash.register_page(
    __name__,
    path_template="/report/<report_id>",
    title=title,
    description=lambda report_id=None: f"Figures of report {report_id}",
    redirect_from=["/old-report"],
)


async def layout(report_id=None, **query):
    await asyncio.sleep(0.01)
    return html.Div(
        [
            html.H1(f"report {report_id}", id="heading"),
            dcc.Input(id="report-input", value=""),
            html.Div(id="report-output"),
            dcc.Link("home", href=dash.get_relative_path("/"), id="to-home"),
        ]
    )


@callback(Output("report-output", "children"), Input("report-input", "value"))
async def echo(value):
    return f"alpha says {value}"
