"""While an app serves, the garbage collector leaves what existed before alone."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from quart import Quart

from quart_flash import FlashBlueprint, html
from quart_flash.testing import LiveServer


class Node:
    """A reference cycle's member, which only the cyclic collector frees."""

    def __init__(self) -> None:
        self.me = self


def app(name: str, **config: Any) -> Quart:
    quart = Quart(name)
    quart.config.update(config)
    blueprint = FlashBlueprint(name, name, channels=False)
    blueprint.layout = html.Div("hi")
    quart.register_blueprint(blueprint)
    return quart


def test_objects_from_before_serving_are_frozen_until_it_stops() -> None:
    assert gc.get_freeze_count() == 0
    old = Node()
    old_ref = weakref.ref(old)
    server = LiveServer(app("frozen")).start()
    try:
        assert gc.get_freeze_count() > 0
        del old
        gc.collect()
        assert old_ref() is not None  # frozen: the full collection skipped it
        new = Node()
        new_ref = weakref.ref(new)
        del new
        gc.collect()
        assert new_ref() is None  # cycles made while serving are still collected
    finally:
        server.stop()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert old_ref() is None


def test_the_last_app_to_stop_unfreezes() -> None:
    first = LiveServer(app("first")).start()
    second = LiveServer(app("second")).start()
    try:
        assert gc.get_freeze_count() > 0
        first.stop()
        assert gc.get_freeze_count() > 0  # the second is still serving
    finally:
        first.stop()
        second.stop()
    assert gc.get_freeze_count() == 0


def test_config_turns_it_off() -> None:
    server = LiveServer(app("thawed", QUART_FLASH_FREEZE_GC=False)).start()
    try:
        assert gc.get_freeze_count() == 0
    finally:
        server.stop()
