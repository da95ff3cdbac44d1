"""A stand-in for a hypercorn worker process, for the SIGTERM-storm test.

Started by multiprocessing (spawn) with ``shutdown_event`` as a keyword
argument, as hypercorn starts its workers, so quart-flash's ShutdownWatch
takes it for one. Its loop calls ``shutdown_event.is_set()`` over and over,
as hypercorn's worker and the watch itself do every 0.1 s, while the test
sends it SIGTERM after SIGTERM.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from quart_flash.shutdown import ShutdownWatch


def main(shutdown_event: Any, ready: Any, seconds: float) -> None:
    async def serve() -> None:
        watch = ShutdownWatch()
        watch.start()
        ready.set()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for _ in range(50):  # most of the time inside is_set(), holding its lock
                shutdown_event.is_set()
            await asyncio.sleep(0)
        await asyncio.wait_for(watch.began.wait(), 1)  # or exit code 1
        await watch.stop()

    asyncio.run(serve())
