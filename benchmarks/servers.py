"""Starting each server flavour on a free loopback port, and measuring it."""

from __future__ import annotations

import os
import re
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import loadgen, workload  # noqa: E402
from quart_flash.testing import HypercornProcess  # noqa: E402


@dataclass(frozen=True)
class Flavour:
    name: str
    module: str
    server: str  # "hypercorn", "gunicorn" or "uvicorn"


FLAVOURS = [
    Flavour("quart-flash", "benchmarks.apps.flash_app:app", "hypercorn"),
    Flavour("dash-flask", "benchmarks.apps.dash_flask_app:app", "gunicorn"),
    Flavour("dash-quart", "benchmarks.apps.dash_quart_app:app", "hypercorn"),
    Flavour("plain-quart", "benchmarks.apps.plain_quart_app:app", "hypercorn"),
    # The same apps under uvicorn with uvloop and httptools: the faster server.
    Flavour("flash-uvicorn", "benchmarks.apps.flash_app:app", "uvicorn"),
    Flavour("plain-uvicorn", "benchmarks.apps.plain_quart_app:app", "uvicorn"),
]
# (flavour, compared with): the ratio columns of the table.
RATIOS = [
    ("quart-flash", "dash-flask"),
    ("quart-flash", "dash-quart"),
    ("quart-flash", "plain-quart"),
    ("flash-uvicorn", "dash-flask"),
    ("flash-uvicorn", "plain-uvicorn"),
]


# The servers started as commands that bind by themselves ({port} is filled in).
_COMMANDS = {
    "gunicorn": [
        "gunicorn",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--bind",
        "127.0.0.1:{port}",
        "--log-level",
        "warning",
    ],
    "uvicorn": [
        "uvicorn",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--log-level",
        "warning",
        "--no-access-log",
    ],
}


class Running:
    """One flavour serving; ``startup`` is seconds until its first answer."""

    def __init__(self, flavour: Flavour) -> None:
        self.flavour = flavour
        if flavour.server in _COMMANDS:
            command = [sys.executable, "-m", *_COMMANDS[flavour.server], flavour.module]
            self.process = HypercornProcess(command=command, cwd=str(ROOT))
        else:
            self.process = HypercornProcess(
                flavour.module, args=["--workers", "1", "--log-level", "WARNING"], cwd=str(ROOT)
            )
        started = time.perf_counter()
        self.process.start(ready_path="/ping")
        self.startup = time.perf_counter() - started
        with urllib.request.urlopen(self.url + "/ping", timeout=10) as answer:
            self.worker_pid = int(answer.read())

    def warm_up(self) -> None:
        """The same for every flavour before anything is timed: first-request
        set-up, threads started, caches filled."""
        loadgen.wrk_rps(self.url + "/_dash-update-component", workload.body("trivial"), 1)
        loadgen.wrk_rps(self.url + "/_dash-layout", None, 1, 8)

    @property
    def url(self) -> str:
        return self.process.url

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the process serving the app.

        Only that process: supervisors (gunicorn's arbiter, hypercorn's
        parent and multiprocessing's resource tracker) are the server's
        choice, and do not grow with the app.
        """
        status = Path(f"/proc/{self.worker_pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]

    def cpu_seconds(self) -> float:
        assert self.process.process is not None
        root = psutil.Process(self.process.process.pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
        return total

    def stop(self) -> None:
        self.process.stop()


def env_summary() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}"
