"""Run every workload against every server flavour, one worker each, and print ratios.

    python benchmarks/run.py            # about 10 minutes
    python benchmarks/run.py --quick    # about 2 minutes, one round: noisier

All flavours are started first (one at a time, so that start-up is timed
alone); then each workload runs in rounds across the flavours (--rounds,
default 5) and the median is kept: on a shared machine single runs vary by
20%, more than the differences measured.

Flavours: quart-flash (hypercorn), Dash 4 on Flask (gunicorn gthread, 8
threads), Dash 4's own Quart backend (hypercorn), plain Quart routes
answering the same JSON (the ceiling), and quart-flash and the ceiling again
under uvicorn (uvloop, httptools).  Ratios are oriented so that > 1 means
the first-named flavour is better.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import loadgen, workload  # noqa: E402
from benchmarks.servers import FLAVOURS, RATIOS, Flavour, Running, env_summary  # noqa: E402

Measure = Callable[[Running], float]
# A pause before each measurement: the previous server's sockets and work
# drain before the next one is timed.
SETTLE_SECONDS = 0.5
STARTS = 3  # start-up is the median of this many starts


def compile_bytecode() -> None:
    """Compile this checkout's modules, as ``pip install`` does for a package.

    An editable install run with ``PYTHONDONTWRITEBYTECODE`` (tox sets it,
    and so do many containers) would otherwise compile quart-flash and the
    benchmark apps from source at every start, ~35 ms here.  Servers still
    read the files with it set.
    """
    for package in ("quart_flash", "benchmarks"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def startup_times(flavour: Flavour, count: int) -> list[float]:
    """Seconds to the first answer of ``count`` fresh starts, each stopped."""
    times = []
    for _ in range(count):
        server = Running(flavour)
        times.append(server.startup)
        server.stop()
    return times


def workloads(seconds: float) -> list[tuple[str, str, bool, Measure]]:
    """(label, unit, higher_is_better, measure) for every workload."""
    update = "/_dash-update-component"
    # Requests per server CPU-second of each trivial round, in order: the
    # next workload hands them out one per round.
    per_cpu: dict[str, list[float]] = {}

    def trivial_rps(server: Running) -> float:
        """Requests/s, remembering the server's CPU time spent on them."""
        cpu = server.cpu_seconds()
        rps = loadgen.wrk_rps(server.url + update, workload.body("trivial"), seconds)
        used = server.cpu_seconds() - cpu
        per_cpu.setdefault(server.flavour.name, []).append(rps * seconds / used)
        return rps

    return [
        ("trivial callback", "req/s", True, trivial_rps),
        (
            "trivial callback per CPU-second",
            "req/CPU-s",
            True,
            lambda s: per_cpu[s.flavour.name].pop(0),
        ),
        (
            "200 x async 0.1 s callbacks",
            "s wall",
            False,
            lambda s: loadgen.concurrent_wall(s.url + update, workload.body("async"), 200),
        ),
        (
            "50 x def 0.1 s callbacks",
            "s wall",
            False,
            lambda s: loadgen.concurrent_wall(s.url + update, workload.body("sync"), 50),
        ),
        (
            "plain route, 20 x def 0.5 s running",
            "ms max",
            False,
            lambda s: loadgen.ping_latency_under_load(s.url, workload.body("blocking"), 20)[
                "max_ms"
            ],
        ),
        (
            "2,000-Div callback output",
            "req/s",
            True,
            lambda s: loadgen.wrk_rps(s.url + update, workload.body("big"), seconds, 8),
        ),
        (
            "~2,000-component layout",
            "req/s",
            True,
            lambda s: loadgen.wrk_rps(s.url + "/_dash-layout", None, seconds, 8),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument(
        "--only", nargs="+", metavar="FLAVOUR", help="run these flavours (ratios need all)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each workload (median)")
    args = parser.parse_args()
    flavours = [f for f in FLAVOURS if not args.only or f.name in args.only]
    seconds = 2 if args.quick else 3
    rounds = 1 if args.quick else args.rounds
    table: dict[str, dict[str, float]] = {f.name: {} for f in flavours}
    servers: dict[str, Running] = {}
    specs = workloads(seconds)
    compile_bytecode()
    try:
        for flavour in flavours:  # one at a time: start-up is timed alone
            startups = startup_times(flavour, STARTS - 1)
            servers[flavour.name] = server = Running(flavour)
            startups.append(server.startup)
            table[flavour.name]["start-up"] = statistics.median(startups)
            server.warm_up()  # only the server that is measured
        for label, _, _, measure in specs:
            samples: dict[str, list[float]] = {name: [] for name in servers}
            # Round by round across the flavours, so that a slow spell of a
            # shared machine falls on all of them rather than on one.
            for _ in range(rounds):
                for name, server in servers.items():
                    if name.startswith("plain") and ("def" in label):
                        continue  # the ceiling has no blocking work to run
                    time.sleep(SETTLE_SECONDS)
                    samples[name].append(measure(server))
            for name, values in samples.items():
                if values:
                    table[name][label] = statistics.median(values)
                    spread = f"  ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else ""
                    print(f"  {name:14} {label:38} {table[name][label]:10.2f}{spread}", flush=True)
        for name, server in servers.items():
            table[name]["peak RSS MB"] = server.peak_rss_mb()
    finally:
        for server in servers.values():
            server.stop()

    names = [f.name for f in flavours]
    print(f"\nmachine: {env_summary()}; one worker per server\n")
    header = f"{'workload':40}" + "".join(f"{n:>14}" for n in names)
    print(header)
    rows = [(label, unit, better) for label, unit, better, _ in specs]
    rows += [("start-up", "s", False), ("peak RSS MB", "MB", False)]
    for label, unit, _ in rows:
        cells = [table[n].get(label) for n in names]
        line = f"{label + ' (' + unit + ')':40}"
        line += "".join(f"{c:14.2f}" if c is not None else f"{'-':>14}" for c in cells)
        print(line)
    print("\nratios (> 1: the first is better: more req/s, or less time/latency/memory)\n")
    print(f"{'workload':40}" + "".join(f"{a + '/' + b:>28}" for a, b in RATIOS))
    for label, unit, higher_better in rows:
        line = f"{label + ' (' + unit + ')':40}"
        for mine_name, other in RATIOS:
            mine = table.get(mine_name, {}).get(label)
            theirs = table.get(other, {}).get(label)
            if mine and theirs:
                ratio = mine / theirs if higher_better else theirs / mine
                line += f"{ratio:27.2f}x"
            else:
                line += f"{'-':>28}"
        print(line)


if __name__ == "__main__":
    main()
