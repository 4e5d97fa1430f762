"""The soak run behind scripts/soak: one `lianyaohu serve` under a steady agent load for M
minutes, its upstream flapping, Redis on; the serve process's RSS and open file descriptors
sampled from /proc every 10 s.

    python3 scripts/lib/soak.py --binary PATH [--minutes 20] [--interval 10] [--out DIR]

Verdict: the first 20 % of the run is warm-up. The baseline is the mean of the samples in the
15 % of the run just after it (20-35 %); the end is the mean of the last quarter (75-100 %).
Growth = end / baseline - 1 must stay under 10 % for RSS and for file descriptors. A least-
squares slope over everything after the warm-up is printed too, for information. Exit status
1 when either grows 10 % or more, when serve died, or when a request hung past its deadline.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import AgentLoad, Instance, Processes, Redis, now  # noqa: E402

# Equities and funds the openbb provider serves, and one it does not (EURUSD=X: a 503).
SYMBOLS = ["AAPL", "NVDA", "MSFT", "TSLA", "AMD", "SPY", "QQQ", "GLD", "TLT", "KO", "JPM", "GOOGL", "AMZN", "META",
           "PLTR", "INTC", "XOM", "WMT", "BA", "NFLX", "AVGO", "DIA", "IWM", "EURUSD=X"]
LIMIT = 0.10


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mx, my = harness.mean(xs), harness.mean(ys)
    denominator = sum((x - mx) ** 2 for x in xs)
    return 0.0 if denominator == 0 else sum((x - mx) * (y - my) for x, y in points) / denominator * 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default=".build/soak")
    args = parser.parse_args()
    harness.install_signal_handlers()
    work = Path(args.out).resolve()
    work.mkdir(parents=True, exist_ok=True)
    duration = args.minutes * 60
    processes = Processes()
    load = None
    samples: list[dict] = []
    notes: list[str] = []
    status = None
    try:
        redis = Redis(processes, work, "soak-redis-" + secrets.token_hex(8))
        redis.start()
        # The upstream flaps through the chaos schedule (errors, resets, garbage, 429s, latency
        # spikes, quiet), 15 s a phase, for the whole run.
        upstream = harness.start_simulate(
            processes, args.binary, work,
            ["--seed", str(args.seed), "--latency-ms", "5,40", "--chaos-seed", str(args.seed), "--chaos-phase-s", "15"])
        config = work / "serve.toml"
        config.write_text(f"""# Written by scripts/soak.
[core]
refresh_interval = 1.0

[cache]
quote_ttl = 5

[providers.openbb]
kind = "openbb"
base_url = "{upstream}"
backend = "fmp"
timeout_ms = 1000
breaker_window = 10
breaker_min_calls = 5
open_wait_s = 1
open_wait_max_s = 3
""")
        instance = Instance("soak", args.binary, work / "serve", config, {"LIANYAOHU_REDIS_URL": redis.url})
        managed = instance.start(processes)
        pid = managed.process.pid
        processes.watch()
        load = AgentLoad({"soak": lambda: instance.url}, SYMBOLS, args.seed, deadline=5.0, agents_per_target=4,
                         pause=(0.05, 0.2), record=None, keep=False)
        load.start()
        start = now()
        print(f"soak: serve pid {pid} at {instance.url}, {args.minutes:g} min, a sample every {args.interval:g} s",
              flush=True)
        print("| t (s) | RSS (MiB) | FDs | requests | load avg |", flush=True)
        while True:
            elapsed = now() - start
            rss = harness.rss_kib(pid)
            fds = harness.open_fds(pid)
            if rss is None or fds is None:
                notes.append(f"serve gone at {elapsed:.0f} s")
                break
            sample = {"t": elapsed, "rss_kib": rss, "fds": fds, "requests": load.total(),
                      "load": harness.load_average()[0]}
            samples.append(sample)
            print(f"| {elapsed:.0f} | {rss / 1024:.1f} | {fds} | {sample['requests']} | {sample['load']:.1f} |", flush=True)
            if elapsed >= duration:
                break
            time.sleep(max(0.0, start + len(samples) * args.interval - now()))
        load.stop()
        status = instance.stop(processes)
    except harness.Interrupted as signal_name:
        print(f"soak: interrupted by {signal_name}; everything started was stopped", file=sys.stderr)
        processes.stop_all()
        return 130
    finally:
        if load is not None:
            load.stop()
        processes.stop_all()

    def window(begin: float, end: float, key: str) -> list[float]:
        return [s[key] for s in samples if begin * duration <= s["t"] <= end * duration + 0.5]

    checks = []
    verdict_lines = []
    for key, label in (("rss_kib", "RSS"), ("fds", "open FDs")):
        baseline = harness.mean(window(0.20, 0.35, key))
        end = harness.mean(window(0.75, 1.0, key))
        growth = end / baseline - 1 if baseline else float("inf")
        slope = slope_per_minute([(s["t"], s[key]) for s in samples if s["t"] >= 0.2 * duration])
        unit = "MiB" if key == "rss_kib" else ""
        scale = 1024 if key == "rss_kib" else 1
        first = samples[0][key] / scale if samples else 0
        last = samples[-1][key] / scale if samples else 0
        ok = growth < LIMIT
        checks.append(ok)
        verdict_lines.append(
            f"| {label} | {first:.1f} {unit} | {baseline / scale:.1f} {unit} | {end / scale:.1f} {unit} | {last:.1f} {unit} | "
            f"{growth * 100:+.1f} % | {slope / scale:+.3f} {unit}/min | {'pass' if ok else '**FAIL**'} |")
    hung = len(load.hung) if load else 0
    total = load.total() if load else 0
    latencies = load.latencies if load else []
    checks.append(hung == 0)
    checks.append(status == 0 and not processes.deaths and not notes)
    loads = [s["load"] for s in samples]
    ran = samples[-1]["t"] if samples else 0
    counts = ", ".join(f"{key.split(' ', 1)[1]}: {value}" for key, value in sorted((load.counts if load else {}).items()))
    report = "\n".join([
        "# Soak run", "",
        f"{ran / 60:.1f} min of one `serve` (Redis tier on, upstream `simulate --chaos-seed {args.seed} --chaos-phase-s 15`) "
        f"under {4} agents; a sample every {args.interval:g} s. Load average mean {harness.mean(loads):.1f}, "
        f"max {max(loads, default=0):.1f} (2 cores shared with other work).", "",
        f"**{'PASS' if all(checks) else 'FAIL'}**", "",
        "Growth compares the mean of the last quarter of the run with the mean of the 15 % just after the 20 % "
        "warm-up (limit +10 %); the least-squares slope is over everything after the warm-up.", "",
        "| measure | first sample | after warm-up (20-35 %) | last quarter (75-100 %) | last sample | growth | slope | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        *verdict_lines, "",
        f"- requests: {total} ({counts}); p50 {harness.percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {harness.percentile(latencies, 0.99) * 1000:.0f} ms; past the 5 s deadline: {hung} "
        f"({'pass' if hung == 0 else '**FAIL**'})",
        f"- serve stayed up and exited {status} on SIGTERM "
        f"({'pass' if status == 0 and not processes.deaths and not notes else '**FAIL**'}) {'; '.join(notes)}", "",
        "## Samples", "", "| t (s) | RSS (MiB) | FDs | requests | load avg |", "|---:|---:|---:|---:|---:|",
        *[f"| {s['t']:.0f} | {s['rss_kib'] / 1024:.1f} | {s['fds']} | {s['requests']} | {s['load']:.1f} |" for s in samples],
        ""])
    (work / "report.md").write_text(report)
    print(report)
    print(f"soak: report in {work / 'report.md'}")
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
