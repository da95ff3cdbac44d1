"""quart-flash: Plotly Dash apps as Quart blueprints, with async callbacks.

Not related to ``quart.flash`` (message flashing): the name is a nod to Flask
and to Dash.  Most names here are Dash's own objects, re-exported so that a
Dash app needs one import changed.
"""

from __future__ import annotations

from dash import (
    ALL,
    ALLSMALLER,
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    callback_context,
    clientside_callback,
    ctx,
    dash_table,
    dcc,
    get_app,
    html,
    no_update,
    page_container,
    register_page,
    set_props,
)
from dash.exceptions import PreventUpdate

from .app import Flash
from .blueprint import FlashBlueprint
from .brokers import Broker, MemoryBroker, PublishError, RedisBroker
from .channels import Channel, session_id
from .executor import run_in_process
from .lazy import LazyLoad
from .pages import page_registry
from .sse import ServerSentEvent, sse_response
from .version import __version__

__all__ = [
    "__version__",
    "ALL",
    "ALLSMALLER",
    "Broker",
    "Channel",
    "ClientsideFunction",
    "Flash",
    "FlashBlueprint",
    "Input",
    "LazyLoad",
    "MATCH",
    "MemoryBroker",
    "Output",
    "Patch",
    "PreventUpdate",
    "PublishError",
    "RedisBroker",
    "ServerSentEvent",
    "State",
    "callback",
    "callback_context",
    "clientside_callback",
    "ctx",
    "dash_table",
    "dcc",
    "get_app",
    "html",
    "no_update",
    "page_container",
    "page_registry",
    "register_page",
    "run_in_process",
    "session_id",
    "sse_response",
    "set_props",
]
