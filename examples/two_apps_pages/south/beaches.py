import asyncio

import dash
from dash import html

dash.register_page(__name__, name="Beaches")


async def layout(**query):
    await asyncio.sleep(0.01)
    return html.H1(f"Beaches{' near ' + query['near'] if 'near' in query else ''}", id="heading")
