"""The production recipe in examples/deploy, run with its own commands on loopback.

The image cannot be built here (no registry), so the tests read the commands
the Dockerfile and compose.yaml would run and run them: hypercorn with the
recipe's hypercorn.toml (two workers), the Celery worker, both pointed at a
private redis-server through the recipe's environment variables, and then
drive the service as browsers and a load balancer would.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
import yaml
from hypercorn.config import Config

from quart_flash.testing import HypercornProcess

from .helpers import (
    BackgroundCommand,
    callback_body,
    dash_config,
    first_push,
    poll_job,
    prop,
    response_of,
    start_job,
    wait_for_push,
)

DEPLOY = Path(__file__).resolve().parents[1] / "examples" / "deploy"
SECRET_KEY = "test-secret-shared-by-every-worker"
IMMUTABLE = "public, max-age=31536000, immutable"


def image_command() -> list[str]:
    """The Dockerfile's CMD, which must be exec form so hypercorn gets SIGTERM itself."""
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    return json.loads(next(line for line in lines if line.startswith("CMD "))[4:])  # type: ignore[no-any-return]


def compose_service(name: str) -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"][name]  # type: ignore[no-any-return]


def local(argv: list[str], *extra: str) -> list[str]:
    """A recipe command run by this interpreter: ``hypercorn`` is ``python -m hypercorn``."""
    return [sys.executable, "-m", *argv, *extra]


def environment(redis_url: str) -> dict[str, str]:
    return {"REDIS_URL": redis_url, "SECRET_KEY": SECRET_KEY}


def web_server(command: list[str], redis_url: str) -> HypercornProcess:
    """The recipe's hypercorn command with only the bind moved to a free loopback port."""
    return HypercornProcess(
        command=local(command, "--bind", "127.0.0.1:{port}"),
        cwd=str(DEPLOY),
        env=environment(redis_url),
    )


def fresh_connections(url: str) -> httpx.Client:
    """A client that opens a connection per request, so requests spread over the workers."""
    return httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def wait_for_both_workers(client: httpx.Client, seconds: float = 60) -> None:
    """Until two worker processes have answered: the server is ready once the
    first one is, and a slow machine may still be importing the second."""
    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    while len(seen) < 2:
        assert time.monotonic() < deadline, f"only workers {seen} answered in {seconds} s"
        seen.add(int(client.get("/api/status").json()["worker"]))
        time.sleep(0.05)


def summary_body(quarter: str) -> dict[str, Any]:
    return callback_body(
        "summary.children",
        {"id": "summary", "property": "children"},
        [prop("quarter", "value", quarter)],
        changed=["quarter.value"],
    )


def test_hypercorn_toml_sets_only_real_settings() -> None:
    """hypercorn ignores unknown keys silently: a typo would be a setting never applied."""
    config = Config.from_toml(DEPLOY / "hypercorn.toml")
    # Every key is set on the instance; a known one has a class default.
    assert [key for key in vars(config) if not hasattr(Config, key)] == []
    assert config.workers == 2
    assert config.accesslog == "-"
    # The container gets longer than the callbacks in flight to stop.
    grace = compose_service("web")["stop_grace_period"]
    assert int(grace.removesuffix("s")) > config.graceful_timeout > 0


def check_reports(client: httpx.Client) -> None:
    """Health, the index page and its cacheable scripts, a quick callback, a Celery job."""
    assert client.get("/reports/health").text == "OK"
    assert client.get("/live/health").text == "OK"
    page = client.get("/reports/")
    assert "<title>Quarterly reports</title>" in page.text
    suite = re.search(r'src="(/reports/_dash-component-suites/[^"]+)"', page.text)
    assert suite, page.text
    assert client.get(suite.group(1)).headers["cache-control"] == IMMUTABLE

    answer = client.post("/reports/_dash-update-component", json=summary_body("2025-Q2"))
    summary = response_of(answer)
    assert summary == {"summary": {"children": "2025-Q2: 1,377 orders"}}

    end_id = dash_config(page.text)["end_id"]
    body = callback_body(
        "report.children",
        {"id": "report", "property": "children"},
        [prop("build", "n_clicks", 1)],
        state=[prop("quarter", "value", "2025-Q3")],
        changed=["build.n_clicks"],
    )
    # Polls land on either web worker: the shared SECRET_KEY verifies the handles.
    handles = start_job(client, "/reports", end_id, body)
    done, progress = poll_job(client, "/reports", end_id, handles, body, timeout=60)
    assert done is not None
    assert done["response"]["report"]["children"] == "Report 2025-Q3: 1,291 orders in 3 sections"
    steps = {"1/3: orders", "2/3: returns", "3/3: margins"}
    assert progress and {p["progress.children"] for p in progress} <= steps


async def check_board(url: str, prefix: str = "") -> set[int]:
    """Announcements and a channel callback reach a board's websocket.

    Announcing over fresh connections until both workers have published shows
    that a push made in one process reaches a websocket held by the other: the
    websocket is on one of them and receives every announcement.  Returns the
    PIDs of the workers that published.
    """
    async with httpx.AsyncClient(
        base_url=url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)
    ) as client:
        page = (await client.get(f"{prefix}/live/")).text
        socket_path = re.search(r'data-url="([^"]+)"', page)
        assert socket_path and socket_path.group(1) == f"{prefix}/live/_flash/channels"
        ws_url = url.replace("http://", "ws://") + socket_path.group(1)

        async def announce(text: str) -> int:
            answer = (await client.post(f"{prefix}/api/announce", json={"text": text})).json()
            assert answer["published"] is True
            return int(answer["worker"])

        # The Origin a browser on this page sends: the channels socket checks it.
        async with websockets.connect(ws_url, origin=url) as socket:  # type: ignore[arg-type]
            await first_push(socket, ["board"], lambda: announce("warming up"))
            publishers: set[int] = set()
            for n in range(20):
                # Two at once: the kernel hands sequential connections to
                # whichever worker accepted last, which may be the same one
                # every time; with both busy, the other accepts.
                texts = [f"news {n}a", f"news {n}b"]
                publishers.update(await asyncio.gather(*(announce(t) for t in texts)))
                await wait_for_push(socket, "announcement", *texts)
                if len(publishers) == 2:
                    break
            body = callback_body(
                "latest-note.children",
                {"id": "latest-note", "property": "children"},
                [prop("note", "value", "hello")],
                changed=["note.value"],
            )
            answer = await client.post(f"{prefix}/live/_dash-update-component", json=body)
            assert response_of(answer) == {"latest-note": {"children": "latest note: hello"}}
            await wait_for_push(socket, "latest-note", "latest note: hello")
    return publishers


def test_recipe_serves_two_workers_with_celery_and_redis(own_redis) -> None:
    worker = BackgroundCommand(
        local(compose_service("worker")["command"]),
        cwd=str(DEPLOY),
        env=environment(own_redis.url),
    ).start()
    server = web_server(image_command(), own_redis.url)
    try:
        server.start(ready_path="/reports/health")
        with fresh_connections(server.url) as client:
            wait_for_both_workers(client)
            check_reports(client)
        publishers = asyncio.run(check_board(server.url))
        assert len(publishers) == 2, "the announcements never came from both workers"
    finally:
        signalled = time.monotonic()
        server_log = server.stop()
        stopped_in = time.monotonic() - signalled
        worker_log = worker.stop()
        print(server_log, worker_log, sep="\n")  # shown when the test fails
    # Nothing was in flight: SIGTERM must not sit out the graceful timeout.
    assert stopped_in < 5
    assert '"GET /reports/health 1.1" 200' in server_log  # hypercorn.toml's access log
    assert "Traceback" not in server_log + worker_log
    assert "succeeded" in worker_log  # the report was built by the Celery worker


def test_recipe_behind_the_proxy_prefix(own_redis) -> None:
    """compose.yaml's web command, the one nginx.conf forwards ``/dash/`` to."""
    command = compose_service("web")["command"]
    prefix = command[command.index("--root-path") + 1]
    assert f"location {prefix}/ " in (DEPLOY / "nginx.conf").read_text()
    server = web_server(command, own_redis.url)
    try:
        server.start(ready_path=f"{prefix}/reports/health")
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get(f"{prefix}/api/status").json()["dashboards"] == {
                "reports": f"{prefix}/reports/",
                "live": f"{prefix}/live/",
            }
            page = client.get(f"{prefix}/reports/").text
            assert dash_config(page)["requests_pathname_prefix"] == f"{prefix}/reports/"
            scripts = re.findall(r'<script src="([^"]+)"', page)
            assert scripts and all(src.startswith(f"{prefix}/reports/") for src in scripts)
            assert client.get(scripts[0]).status_code == 200
            answer = client.post(
                f"{prefix}/reports/_dash-update-component", json=summary_body("2025-Q4")
            )
            assert response_of(answer) == {"summary": {"children": "2025-Q4: 1,650 orders"}}
        asyncio.run(check_board(server.url, prefix))
    finally:
        print(server.stop())
