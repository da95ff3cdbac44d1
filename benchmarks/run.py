"""Run every workload against every server flavour, one worker each, and print ratios.

    python benchmarks/run.py            # about 4 minutes
    python benchmarks/run.py --quick    # about 1 minute, noisier

Flavours: quart-flash (hypercorn), Dash 4 on Flask (gunicorn gthread, 8
threads), Dash 4's own Quart backend (hypercorn), plain Quart routes
answering the same JSON (the ceiling), and quart-flash and the ceiling again
under uvicorn (uvloop, httptools).  Ratios are oriented so that > 1 means
the first-named flavour is better.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import loadgen, workload  # noqa: E402
from benchmarks.servers import FLAVOURS, RATIOS, Running, env_summary  # noqa: E402

Measure = Callable[[Running], float]


def workloads(seconds: float) -> list[tuple[str, str, bool, Measure]]:
    """(label, unit, higher_is_better, measure) for every workload."""
    update = "/_dash-update-component"
    trivial: dict[str, float] = {}

    def trivial_rps(server: Running) -> float:
        """Requests/s, remembering the server's CPU time spent on them."""
        cpu = server.cpu_seconds()
        rps = loadgen.wrk_rps(server.url + update, workload.body("trivial"), seconds)
        trivial[server.flavour.name] = rps * seconds / (server.cpu_seconds() - cpu)
        return rps

    return [
        ("trivial callback", "req/s", True, trivial_rps),
        (
            "trivial callback per CPU-second",
            "req/CPU-s",
            True,
            lambda s: trivial[s.flavour.name],
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
    args = parser.parse_args()
    flavours = [f for f in FLAVOURS if not args.only or f.name in args.only]
    seconds = 3 if args.quick else 8
    table: dict[str, dict[str, float]] = {}
    specs = workloads(seconds)
    for flavour in flavours:
        server = Running(flavour)
        try:
            results = {"start-up": server.startup}
            for label, _, _, measure in specs:
                if flavour.name.startswith("plain") and ("def" in label):
                    continue  # the ceiling has no blocking work to run
                results[label] = measure(server)
                print(f"  {flavour.name:12} {label:38} {results[label]:10.2f}", flush=True)
            results["peak RSS MB"] = server.peak_rss_mb()
        finally:
            server.stop()
        table[flavour.name] = results

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
