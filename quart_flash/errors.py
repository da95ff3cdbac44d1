"""Error responses for Dash routes.

A client's mistake gets a 4xx with a JSON body that says what is wrong; a
failure in the app's own code gets a 500 that reveals nothing outside debug
mode (the exception is logged with the app's name).  These handlers are
registered on each FlashBlueprint, so they never touch the user's own views.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from dash.exceptions import PreventUpdate
from quart import Response, g, json, request
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint


class ClientError(Exception):
    """A request to a Dash route that cannot be served as sent."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        headers: dict[str, str] | None = None,
        **detail: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers
        self.detail = detail


def json_error(
    status: int, error: str, message: str, headers: dict[str, str] | None = None, **detail: Any
) -> Response:
    body = {"error": error, "message": message, **detail}
    return Response(
        json.dumps(body), status=status, content_type="application/json", headers=headers
    )


def install_error_handlers(blueprint: FlashBlueprint) -> None:
    """Register the blueprint-scoped handlers that shape every error body."""
    logger = blueprint.logger

    @blueprint.errorhandler(PreventUpdate)
    async def _prevent_update(_: PreventUpdate) -> Response:
        return Response(b"", status=204)

    @blueprint.errorhandler(ClientError)
    async def _client_error(exc: ClientError) -> Response:
        return json_error(exc.status, exc.error, exc.message, exc.headers, **exc.detail)

    @blueprint.errorhandler(HTTPException)
    async def _http_error(exc: HTTPException) -> Any:
        if exc.code is None or exc.code < 400 or exc.code >= 500:
            return exc
        name = (exc.name or "error").lower().replace(" ", "_")
        return json_error(exc.code, name, exc.description or exc.name or "")

    @blueprint.errorhandler(Exception)
    async def _server_error(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return exc  # type: ignore[return-value]
        _log_failure(logger, blueprint, exc)
        mode = blueprint.debug_traceback_mode
        if mode is not None:
            html = blueprint.dash_app.backend.format_traceback(exc, mode)
            return Response(html, status=500, content_type="text/html")
        return json_error(500, "internal_error", "The server failed to handle this request.")


def _log_failure(logger: logging.Logger, blueprint: FlashBlueprint, exc: Exception) -> None:
    output = g.get("quart_flash_output")
    if output is not None:
        logger.error(
            "callback %s of app %r failed (endpoint %s)",
            output,
            blueprint.name,
            request.endpoint,
            exc_info=exc,
        )
    else:
        logger.error(
            "%s %s of app %r failed",
            request.method,
            request.path,
            blueprint.name,
            exc_info=exc,
        )
