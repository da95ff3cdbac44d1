"""The production recipe in examples/deploy, run with its own commands on loopback.

The image cannot be built here (no registry), so the tests read the commands
the Dockerfile and compose.yaml would run and run them: hypercorn with the
recipe's hypercorn.toml (two workers), the Celery worker, both pointed at a
private redis-server through the recipe's environment variables, and then
drive the service as browsers and a load balancer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from collections.abc import Iterator
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


def worker_of(client: httpx.Client, prefix: str = "") -> int:
    """The PID of the worker process that answers ``client`` now."""
    return int(client.get(f"{prefix}/api/status").json()["worker"])


@contextlib.contextmanager
def client_per_worker(
    url: str, prefix: str = "", workers: int = 2, seconds: float = 60
) -> Iterator[dict[int, httpx.Client]]:
    """A client on each worker process, by PID, each holding one connection.

    Which worker accepts a new connection is the kernel's choice, and it can
    favour one worker for a long run (asyncio then accepts every queued
    connection at once), so sending more requests never makes sure that both
    workers get one. Instead, new connections are opened until every worker
    has answered on one, and those are kept: hypercorn.toml keeps an idle
    connection 75 s, so each client's requests reach the worker it is keyed by.
    A slow machine may still be importing the second worker when the first
    is ready, hence the wait.
    """
    clients: dict[int, httpx.Client] = {}
    deadline = time.monotonic() + seconds
    try:
        while len(clients) < workers:
            assert time.monotonic() < deadline, (
                f"only workers {set(clients)} answered in {seconds} s"
            )
            client = httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_connections=1))
            worker = worker_of(client, prefix)
            if worker in clients:
                client.close()
            else:
                clients[worker] = client
            time.sleep(0.05)
        yield clients
    finally:
        for client in clients.values():
            client.close()


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


def check_reports(workers: dict[int, httpx.Client]) -> None:
    """Health, the index page and its cacheable scripts, a quick callback, a
    Celery job started on one worker and polled on the other."""
    (starter_pid, starter), (poller_pid, poller) = workers.items()
    assert starter.get("/reports/health").text == "OK"
    assert starter.get("/live/health").text == "OK"
    page = starter.get("/reports/")
    assert "<title>Quarterly reports</title>" in page.text
    suite = re.search(r'src="(/reports/_dash-component-suites/[^"]+)"', page.text)
    assert suite, page.text
    assert starter.get(suite.group(1)).headers["cache-control"] == IMMUTABLE

    answer = starter.post("/reports/_dash-update-component", json=summary_body("2025-Q2"))
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
    # The other worker verifies the handles: SECRET_KEY is shared.
    handles = start_job(starter, "/reports", end_id, body)
    done, progress = poll_job(poller, "/reports", end_id, handles, body, timeout=60)
    assert done is not None
    assert done["response"]["report"]["children"] == "Report 2025-Q3: 1,291 orders in 3 sections"
    steps = {"1/3: orders", "2/3: returns", "3/3: margins"}
    assert progress and {p["progress.children"] for p in progress} <= steps
    assert (worker_of(starter), worker_of(poller)) == (starter_pid, poller_pid)


async def check_board(url: str, workers: dict[int, httpx.Client], prefix: str = "") -> None:
    """Announcements made on each worker, and a channel callback, reach one
    board websocket: that socket is held by one of the workers, so a push
    made in the other process reaches it through Redis."""
    any_worker = next(iter(workers.values()))
    page = any_worker.get(f"{prefix}/live/").text
    socket_path = re.search(r'data-url="([^"]+)"', page)
    assert socket_path and socket_path.group(1) == f"{prefix}/live/_flash/channels"
    ws_url = url.replace("http://", "ws://") + socket_path.group(1)

    async def announce(client: httpx.Client, text: str) -> int:
        """Announce from a thread: the clients are synchronous, the socket is not."""
        response = await asyncio.to_thread(
            client.post, f"{prefix}/api/announce", json={"text": text}
        )
        answer = response.json()
        assert answer["published"] is True
        return int(answer["worker"])

    # The Origin a browser on this page sends: the channels socket checks it.
    async with websockets.connect(ws_url, origin=url) as socket:  # type: ignore[arg-type]
        await first_push(socket, ["board"], lambda: announce(any_worker, "warming up"))
        for pid, client in workers.items():
            text = f"news from worker {pid}"
            assert await announce(client, text) == pid
            await wait_for_push(socket, "announcement", text)
        body = callback_body(
            "latest-note.children",
            {"id": "latest-note", "property": "children"},
            [prop("note", "value", "hello")],
            changed=["note.value"],
        )
        answer = await asyncio.to_thread(
            any_worker.post, f"{prefix}/live/_dash-update-component", json=body
        )
        assert response_of(answer) == {"latest-note": {"children": "latest note: hello"}}
        await wait_for_push(socket, "latest-note", "latest note: hello")


def test_recipe_serves_two_workers_with_celery_and_redis(own_redis) -> None:
    worker = BackgroundCommand(
        local(compose_service("worker")["command"]),
        cwd=str(DEPLOY),
        env=environment(own_redis.url),
    ).start()
    server = web_server(image_command(), own_redis.url)
    try:
        server.start(ready_path="/reports/health")
        with client_per_worker(server.url) as workers:
            check_reports(workers)
            asyncio.run(check_board(server.url, workers))
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
        with client_per_worker(server.url, prefix) as workers:
            asyncio.run(check_board(server.url, workers, prefix))
    finally:
        print(server.stop())
