"""Sphinx configuration for the quart-flash documentation (``tox -e docs``)."""

from __future__ import annotations

from quart_flash import __version__

project = "quart-flash"
author = "The quart-flash developers"
copyright = "2026, The quart-flash developers"  # noqa: A001 - Sphinx's name
release = __version__
version = __version__

extensions = ["sphinx.ext.autodoc"]

exclude_patterns = ["_build"]
default_role = "code"

html_theme = "furo"
html_title = f"quart-flash {release}"

autodoc_member_order = "bysource"
autoclass_content = "both"
autodoc_typehints_format = "short"
