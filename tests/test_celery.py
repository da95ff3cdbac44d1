"""Background callbacks in a real Celery worker with a real Redis broker."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from quart_flash.testing import HypercornProcess

from .helpers import callback_body, dash_config, poll_job, prop, start_job

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("FLASH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ENV = {
    "FLASH_TEST_REDIS_URL": REDIS_URL,
    "FLASH_TEST_CELERY_QUEUE": f"flash-test-{uuid.uuid4().hex}",
}


@pytest.fixture
def celery_worker():
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.apps.celery_dashboard:celery_app",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    try:
        worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()


def test_celery_background_callback_behind_two_web_workers(celery_worker):
    server = HypercornProcess(
        "tests.apps.celery_dashboard:app",
        args=["--workers", "2"],
        cwd=str(ROOT),
        env=ENV,
    ).start(ready_path="/reports/")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            end_id = dash_config(client.get("/reports/").text)["end_id"]
            body = callback_body(
                "out.children",
                {"id": "out", "property": "children"},
                [prop("go", "n_clicks", 1)],
                state=[prop("name", "value", "q3")],
            )
            handles = start_job(client, "/reports", end_id, body)
            done, progress = poll_job(client, "/reports", end_id, handles, body, timeout=60)
        assert done is not None
        text = done["response"]["out"]["children"]
        assert text.startswith("report for q3 built by pid ")
        assert int(text.rsplit(" ", 1)[1]) == celery_worker.pid  # it ran in the worker
        assert all(p["progress.children"] in {"1/3", "2/3", "3/3"} for p in progress)
    finally:
        server.stop()
