"""Background callbacks: the cancel callbacks Dash adds on an app's first request.

Jobs themselves run in Dash's managers (``DiskcacheManager``,
``CeleryManager``), which do not depend on the web server; starting and
polling them goes through the normal callback route (see dispatch.py).  What
Dash does in its Flask-only first-request hook is add one hidden callback per
``cancel=`` input that terminates the jobs the browser names; this is that.
"""

from __future__ import annotations

from typing import Any, Callable

from dash import _callback, _callback_signing, callback_context, no_update
from dash.dependencies import Output


def _cancel_jobs(dash_app: Any) -> Callable[..., Any]:
    def cancel(*_: Any) -> Any:
        job_ids = callback_context.args.getlist("cancelJob")
        if job_ids:
            manager = _callback.context_value.get().background_callback_manager
            secret = dash_app._get_signing_secret()
            scope = _callback_signing.job_scope(_callback.get_request_end_id(secret))
            for signed in job_ids:
                # Only jobs this server signed for this page load: a forged
                # pid is never killed.
                job = _callback_signing.unsign(secret, scope, signed)
                if job is not None:
                    manager.terminate_job(job)
        return no_update

    return cancel


def install_cancel_callbacks(dash_app: Any) -> None:
    cancels: dict[Any, Any] = {}
    for callback in dash_app.callback_map.values():
        background = callback.get("background")
        if background and "cancel_inputs" in background:
            for cancel_input in background.pop("cancel_inputs"):
                cancels[cancel_input] = background.get("manager")
    for cancel_input, manager in cancels.items():
        dash_app.callback(
            Output(cancel_input.component_id, "id"),
            cancel_input,
            prevent_initial_call=True,
            manager=manager,
        )(_cancel_jobs(dash_app))
