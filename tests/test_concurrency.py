"""The event loop never blocks: def callbacks run in a bounded pool, async ones concurrently."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, html

from .helpers import callback_body, prop


def body(output: str, value: int) -> dict:
    return callback_body(
        f"{output}.children",
        {"id": output, "property": "children"},
        [prop("in", "value", value)],
        changed=["in.value"],
    )


def fire(base_url: str, path: str, count: int) -> list[int]:
    """POST ``count`` callback requests at once; their status codes, in order."""

    async def all_at_once() -> list[int]:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            responses = await asyncio.gather(
                *(client.post(path, json=body("out", i)) for i in range(count))
            )
        return [r.status_code for r in responses]

    return asyncio.run(all_at_once())


def test_ten_slow_def_callbacks_leave_a_plain_route_answering(flash_server):
    app = Quart(__name__)
    bp = FlashBlueprint("slow", __name__, url_prefix="/slow", suppress_callback_exceptions=True)
    bp.layout = html.Div()
    finished: list[float] = []

    @bp.callback(Output("out", "children"), Input("in", "value"))
    def slow(value):
        time.sleep(1)  # a blocking database call, say
        finished.append(time.monotonic())
        return value

    @app.route("/ping")
    async def ping():
        return "pong"

    app.register_blueprint(bp)
    server = flash_server(app)

    async def scenario() -> tuple[list[float], float, list[int]]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            calls = [
                asyncio.create_task(
                    client.post("/slow/_dash-update-component", json=body("out", i))
                )
                for i in range(10)
            ]
            await asyncio.sleep(0.2)  # the callbacks are now sleeping in their threads
            latencies = []
            for _ in range(10):
                start = time.monotonic()
                assert (await client.get("/ping")).text == "pong"
                latencies.append(time.monotonic() - start)
            pings_done = time.monotonic()
            statuses = [r.status_code for r in await asyncio.gather(*calls)]
            return latencies, pings_done, statuses

    latencies, pings_done, statuses = asyncio.run(scenario())
    print(f"plain route under 10 sleeping def callbacks: max {max(latencies) * 1000:.1f} ms")
    assert statuses == [200] * 10
    # Every ping answered while all ten callbacks were still sleeping.
    assert pings_done < min(finished)
    # And all ten slept at the same time: the last finished within the first's second.
    assert max(finished) - min(finished) < 1.0


def test_def_callbacks_really_run_in_parallel(serve):
    app = Quart(__name__)
    bp = FlashBlueprint("par", __name__, url_prefix="/par", suppress_callback_exceptions=True)
    bp.layout = html.Div()
    barrier = threading.Barrier(8, timeout=10)

    @bp.callback(Output("out", "children"), Input("in", "value"))
    def meet(value):
        barrier.wait()  # breaks (-> 500) unless eight calls are in flight at once
        return value

    app.register_blueprint(bp)
    client = serve(app)

    assert fire(str(client.base_url), "/par/_dash-update-component", 8) == [200] * 8


def test_async_callbacks_interleave_on_the_loop(serve):
    app = Quart(__name__)
    bp = FlashBlueprint("aio", __name__, url_prefix="/aio", suppress_callback_exceptions=True)
    bp.layout = html.Div()
    state = {"waiting": 0}
    everyone_here = asyncio.Event()

    @bp.callback(Output("out", "children"), Input("in", "value"))
    async def gather_point(value):
        state["waiting"] += 1
        if state["waiting"] == 20:
            everyone_here.set()
        await asyncio.wait_for(everyone_here.wait(), 10)
        return value

    app.register_blueprint(bp)
    client = serve(app)

    assert fire(str(client.base_url), "/aio/_dash-update-component", 20) == [200] * 20


def test_thread_pool_is_bounded(serve):
    app = Quart(__name__)
    app.config["QUART_FLASH_MAX_THREADS"] = 2
    bp = FlashBlueprint("bounded", __name__, url_prefix="/b", suppress_callback_exceptions=True)
    bp.layout = html.Div()
    lock = threading.Lock()
    running = {"now": 0, "max": 0}

    @bp.callback(Output("out", "children"), Input("in", "value"))
    def count(value):
        with lock:
            running["now"] += 1
            running["max"] = max(running["max"], running["now"])
        time.sleep(0.2)
        with lock:
            running["now"] -= 1
        return value

    app.register_blueprint(bp)
    client = serve(app)

    assert fire(str(client.base_url), "/b/_dash-update-component", 6) == [200] * 6
    assert running["max"] == 2


def count_primes(limit: int) -> tuple[int, int]:
    """CPU-bound work for the process pool (module level, so it pickles)."""
    import os

    primes = sum(1 for n in range(2, limit) if all(n % d for d in range(2, int(n**0.5) + 1)))
    return primes, os.getpid()


def test_cpu_heavy_work_goes_to_the_process_pool(serve):
    import os

    from quart_flash import run_in_process

    app = Quart(__name__)
    app.config["QUART_FLASH_PROCESSES"] = 2
    bp = FlashBlueprint("cpu", __name__, url_prefix="/cpu", suppress_callback_exceptions=True)
    bp.layout = html.Div()

    @bp.callback(Output("out", "children"), Input("in", "value"))
    async def crunch(limit):
        primes, pid = await run_in_process(count_primes, limit)
        return [primes, pid]

    app.register_blueprint(bp)
    client = serve(app)
    resp = client.post("/cpu/_dash-update-component", json=body("out", 10_000))
    primes, pid = resp.json()["response"]["out"]["children"]
    assert primes == 1229
    assert pid != os.getpid()  # not the server's process (it runs in this one's thread)
