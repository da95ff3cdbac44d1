"""The stock ``dash.Dash`` object each FlashBlueprint holds.

quart-flash keeps Dash's own app object for everything that is not the
server: config, the callback map, index HTML, resources, Pages, dev tools.
Two things have to change for it to live under a blueprint:

* its URL prefix is only known once the blueprint is registered, and behind a
  proxy only per request (``root_path``), so the config answers
  ``requests_pathname_prefix`` from the request being served;
* ``interpolate_index`` may be overridden on the FlashBlueprint, as Dash users
  override it on their ``Dash`` subclass.
"""

from __future__ import annotations

import collections
import os
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import dash
from dash import _validate, dcc
from dash._utils import AttributeDict, format_tag
from dash.dash import (
    _app_entry,
    _re_index_config_id,
    _re_index_entry_id,
    _re_index_scripts_id,
    _re_renderer_scripts_id,
)

from .backend import BlueprintServer

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint

#: The FlashBlueprint whose Dash app is being constructed; read by
#: :meth:`BlueprintServer.create_app`, which Dash calls from its constructor.
constructing_blueprint: ContextVar[FlashBlueprint] = ContextVar("quart_flash_constructing")

#: ``(dash_app, prefix)`` for the Dash request being served.  Set by the
#: blueprint's ``before_request`` hook; a context variable so that concurrent
#: requests to different apps (and worker threads) each see their own.
current_mount: ContextVar[tuple[Any, str]] = ContextVar("quart_flash_mount")

_DYNAMIC_KEYS = frozenset({"requests_pathname_prefix", "url_base_pathname"})


class MountedConfig(AttributeDict):
    """Dash's config dict, with the browser-facing prefix read per request."""

    def __getitem__(self, key: str) -> Any:
        if key in _DYNAMIC_KEYS:
            return self.__dict__["_owner"].requests_prefix()
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - dict.get skips __getitem__


class MountedDash(dash.Dash):
    """A ``dash.Dash`` whose server is a FlashBlueprint.

    Constructed with ``server=False``: Dash's own route registration
    (``init_app``) is never run; the blueprint registers its async views.
    """

    def __init__(self, blueprint: FlashBlueprint, name: str, **dash_kwargs: Any) -> None:
        self._flash = blueprint
        #: This app's Dash Pages; ``dash.page_registry`` resolves to it (pages.py).
        self.page_registry: collections.OrderedDict[str, Any] = collections.OrderedDict()
        token = constructing_blueprint.set(blueprint)
        try:
            super().__init__(name, server=False, backend=BlueprintServer, **dash_kwargs)
        finally:
            constructing_blueprint.reset(token)
        stock: Any = self.__dict__["config"]
        config = MountedConfig()
        dict.update(config, stock)
        config.__dict__.update(stock.__dict__)
        config.__dict__["_owner"] = self
        self.config = config
        self._install_plotlyjs()

    def requests_prefix(self) -> str:
        mount = current_mount.get(None)
        if mount is not None and mount[0] is self:
            return mount[1]
        return self._flash.default_requests_prefix

    def _install_plotlyjs(self) -> None:
        """Add plotly.js to dcc's resources once per process.

        ``Dash.init_app`` appends it on every call, so many apps in one process
        would each add another copy of the same script tag.
        """
        for resource in dcc._js_dist:  # pylint: disable=protected-access
            if resource.get("namespace") == "plotly":
                self._plotlyjs_url = resource["external_url"]
                return
        self._setup_plotlyjs()

    def render_index(self, page_metas: list[dict[str, Any]]) -> str:
        """The index page, built from Dash's own pieces.

        Dash's ``index()`` computes the Pages meta tags itself, synchronously
        and from the unprefixed request path; here they are computed by the
        caller (awaiting async title and description functions) and passed in.
        """
        metas = page_metas + self._generate_meta()
        html = self.interpolate_index(
            metas="\n      ".join(format_tag("meta", m, opened=True, sanitize=True) for m in metas),
            title=self.title,
            css=self._generate_css_dist_html(),
            config=self._generate_config_html(),
            scripts=self._generate_scripts_html(),
            app_entry=_app_entry,
            favicon=format_tag(
                "link",
                {"rel": "icon", "type": "image/x-icon", "href": self._favicon_url()},
                opened=True,
            ),
            renderer=self._generate_renderer(),
        )
        for hook in self._hooks.get_hooks("index"):
            html = hook(html)
        checks = (
            _re_index_entry_id,
            _re_index_config_id,
            _re_index_scripts_id,
            _re_renderer_scripts_id,
        )
        _validate.validate_index("index", checks, html)
        return html

    def _generate_scripts_html(self) -> str:
        # Our scripts need dash_clientside.set_props: after Dash's.
        return str(super()._generate_scripts_html()) + self._flash.flash_script_tags()

    def _favicon_url(self) -> str:
        if self._favicon:
            modified = os.path.getmtime(os.path.join(self.config.assets_folder, self._favicon))
            return f"{self.get_asset_url(self._favicon)}?m={modified}"
        return f"{self.config.requests_pathname_prefix}_favicon.ico?v={dash.__version__}"

    def interpolate_index(self, **kwargs: Any) -> str:
        return self._flash.interpolate_index(**kwargs)

    def stock_interpolate_index(self, **kwargs: Any) -> str:
        return super().interpolate_index(**kwargs)
