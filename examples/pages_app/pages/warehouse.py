"""A page with a path variable whose layout and title are async functions."""

import asyncio

import dash
from dash import Input, Output, callback, dcc, html


async def title(warehouse_id=None):
    return f"Warehouse {warehouse_id}"


dash.register_page(
    __name__,
    path_template="/warehouse/<warehouse_id>",
    title=title,
    description=lambda warehouse_id=None: f"Stock in warehouse {warehouse_id}",
    redirect_from=["/stores"],
)


async def fetch_stock(warehouse_id: str) -> dict[str, int]:
    await asyncio.sleep(0.05)  # a database query, say
    seed = int(warehouse_id) if warehouse_id.isdigit() else 0
    return {"bolts": 100 + seed, "nuts": 250 - seed, "washers": 40 * (seed + 1)}


async def layout(warehouse_id=None, **query):
    stock = await fetch_stock(warehouse_id or "0")
    return html.Div(
        [
            html.H1(f"Warehouse {warehouse_id}", id="heading"),
            dcc.Dropdown(list(stock), "bolts", id="item", clearable=False),
            dcc.Store(id="stock", data=stock),
            html.Div(id="count"),
        ]
    )


@callback(Output("count", "children"), Input("item", "value"), Input("stock", "data"))
async def count(item, stock):
    return f"{stock[item]} {item} in stock"
