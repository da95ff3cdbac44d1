"""Keeping Python's cyclic garbage collector off what exists before serving.

A full collection walks every object that has survived two collections.  In
a Dash app that is Dash, plotly, the component classes and the layout: about
120,000 objects, and on a 2-core machine a 55-65 ms pause of the event loop,
in which no request is answered.  Full collections come when many objects
outlive a few collections, as under a burst of requests; the benchmark's
plain route saw one 40 ms answer in five rounds.

So when the app starts serving, everything that exists is moved to the
permanent generation (``gc.freeze()``), and full collections walk only what
was made since: objects are still freed by reference counting, and new
cycles are still collected.  When the last app in the process stops serving
they are handed back (``gc.unfreeze()``), so a process that serves apps one
after another (a test suite) can collect what the earlier ones left.

The cost: a reference cycle that already existed before serving and becomes
garbage during it is freed only after serving stops.  ``QUART_FLASH_FREEZE_GC
= False`` in the app's config turns this off.
"""

from __future__ import annotations

import gc

from quart import Quart

CONFIG_KEY = "QUART_FLASH_FREEZE_GC"
_EXTENSION_KEY = "quart_flash.collector"

_serving = 0  # apps in this process that froze and are still serving


def start_serving(app: Quart) -> None:
    """Freeze what exists, unless an app already did or the config says no."""
    global _serving  # pylint: disable=global-statement
    if not app.config.get(CONFIG_KEY, True) or app.extensions.get(_EXTENSION_KEY):
        return
    app.extensions[_EXTENSION_KEY] = True
    if _serving == 0:
        gc.freeze()
    _serving += 1


def stop_serving(app: Quart) -> None:
    """Unfreeze when the last app that froze stops serving."""
    global _serving  # pylint: disable=global-statement
    if not app.extensions.pop(_EXTENSION_KEY, False):
        return
    _serving -= 1
    if _serving == 0:
        gc.unfreeze()
