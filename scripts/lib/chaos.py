"""The chaos suite behind scripts/chaos: one seeded run of the real binaries on loopback.

    python3 scripts/lib/chaos.py --binary PATH [--seed N] [--seeds K] [--minutes M] [--out DIR]

Per seed: `lianyaohu simulate --chaos-seed N` as the only upstream (an `openbb` provider),
two `serve` instances sharing a password-protected redis-server that is stopped and
restarted on a schedule drawn from the seed, instance A restarted once, `dash --connect`
on A in tmux (resized several times, quit with q), and an agent load throughout. Then every
assertion is checked and a markdown report is written and printed. Exit status 1 when any
assertion failed in any seed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import AgentLoad, Instance, Periodic, Poller, Processes, Redis, now  # noqa: E402

TTL_SECONDS = 5.0
DEADLINE_SECONDS = 5.0
# The market ticks every 250 ms and OpenBB's `last_timestamp` has whole seconds: a fresh
# quote's as_of may trail its arrival by up to 1.25 s. Slack on top of the TTL for that.
AS_OF_SLACK_SECONDS = 2.0
SYMBOLS = ["AAPL", "NVDA", "MSFT", "TSLA", "AMD", "SPY", "QQQ", "GLD", "TLT", "KO", "JPM", "GOOGL", "AMZN",
           "META", "INTC", "PLTR", "XOM", "WMT", "EURUSD=X", "IBM-X"]
# IBM-X is no listing of the simulated market (the unknown-symbol path, 404); EURUSD=X is one
# the openbb provider does not serve (no provider available, 503).
RESIZES = [(120, 40), (80, 24), (160, 48), (100, 30), (60, 20), (200, 60), (132, 43)]
PHASE_LINE = re.compile(
    r'chaos phase=(\d+) kind=(\S+) start_s=([\d.]+) end_s=([\d.]+) at=(\S+) rate=(\S+) retry_after_s=(\d+) '
    r'detail="(.*)"')
END_LINE = re.compile(r"chaos phase=(\d+) ended requests=(\d+) faulted=(\d+)")
# A quote on the dashboard: symbol (with a letter), the stale mark `~` before the
# right-aligned price, the price, then (on the same line) its source and age, e.g.
# `SPY  ~661.75 -0.08% ▁▁▆▃▇█▃▄ openbb  9s` or `TLT  ~ 89.40  0.00 ... openbb 12s`.
SCREEN_QUOTE = re.compile(
    r"(?<![\w~])(?=[\d.=^-]*[A-Z])([A-Z0-9][A-Z0-9.=^-]*)\s+(~?)\s*(\d[\d,]*\.\d+)\b.*?\bopenbb\s+(\d+)(s|m|h)\b")
CRASH_MARKERS = re.compile(r"Fatal error|Program crashed|Segmentation fault|Illegal instruction|Aborted|"
                           r"Assertion failed|Precondition failed|Backtrace")


@dataclass
class Phase:
    index: int
    kind: str
    start: float  # seconds since the run began (the simulate's phase 0)
    end: float
    rate: float
    retry_after: int
    detail: str
    requests: int | None = None
    faulted: int | None = None


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Event:
    at: float
    kind: str
    detail: str


class Tmux:
    def __init__(self, socket: str, session: str) -> None:
        self.socket = socket
        self.session = session

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=15)

    def screen(self) -> str:
        result = self.run("capture-pane", "-t", self.session, "-p")
        return result.stdout if result.returncode == 0 else ""

    def size(self) -> str:
        return self.run("display-message", "-t", self.session, "-p", "#{window_width}x#{window_height}").stdout.strip()

    def wait_for(self, pattern: str, seconds: float, absent: bool = False) -> bool:
        deadline = now() + seconds
        compiled = re.compile(pattern, re.M)
        while now() < deadline:
            found = compiled.search(self.screen()) is not None
            if found != absent:
                return True
            time.sleep(0.2)
        return False

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=15)


class ScreenWatch(Periodic):
    """Captures the dashboard's screen every second: what it showed, and when."""

    def __init__(self, tmux: Tmux, path: Path) -> None:
        super().__init__("screen-watch", 1.0)
        self.tmux = tmux
        self.captures: list[tuple[float, str]] = []
        self.path = path

    def finish(self) -> None:
        with open(self.path, "w") as handle:
            for at, text in self.captures:
                handle.write(f"==== {at:.1f}\n{text}\n")

    def tick(self) -> None:
        try:
            self.captures.append((now(), self.tmux.screen()))
        except subprocess.TimeoutExpired:
            pass


class Operator(Periodic):
    """An operator steering instance A with and without the API token: mutating routes need it."""

    def __init__(self, instance: Instance, token: str) -> None:
        super().__init__("operator", 7.0)
        self.instance = instance
        self.token = token
        self.results: list[tuple[float, str, int | None]] = []

    def tick(self) -> None:
        path = "/v1/providers/openbb/enable"
        for label, headers in (("without token", {}), ("with token", {"Authorization": f"Bearer {self.token}"})):
            try:
                status, _ = harness.http_get(self.instance.url, path, timeout=5, method="POST", headers=headers)
            except OSError:
                status = None
            self.results.append((now(), label, status))


def write_config(path: Path, upstream: str) -> None:
    path.write_text(f"""# Written by scripts/chaos: one upstream, lianyaohu simulate with its chaos schedule.
[core]
refresh_interval = 1.0

[cache]
quote_ttl = {TTL_SECONDS:g}
quote_max_staleness = 900

[providers.openbb]
kind = "openbb"
base_url = "{upstream}"
backend = "fmp"
username = "chaos-agent"
password_env = "CHAOS_OPENBB_KEY"
timeout_ms = 1000
breaker_window = 10
breaker_min_calls = 5
open_wait_s = 1
open_wait_max_s = 3
""")


def plan_redis_outages(rng: random.Random, duration: float) -> list[tuple[float, float, str]]:
    """Redis outages: (from, to, how), how being "stop" (SIGTERM, then a new redis-server on the
    same port, empty) or "freeze" (SIGSTOP, then SIGCONT: open connections that never answer)."""
    outages = []
    at = 15 + rng.uniform(0, 10)
    while at < duration - 20:
        down = rng.uniform(4, 10)
        outages.append((at, at + down, "stop" if len(outages) % 2 == 0 else "freeze"))
        at += down + rng.uniform(20, 35)
    return outages


def run_seed(seed: int, minutes: float, phase_seconds: float, binary: str, out: Path) -> tuple[bool, str]:
    work = out / f"seed-{seed}"
    if work.exists():
        subprocess.run(["rm", "-rf", str(work)], check=False)
    work.mkdir(parents=True)
    duration = minutes * 60
    rng = random.Random(seed)
    redis_password = "chaos-redis-" + secrets.token_hex(12)
    api_token = "chaos-token-" + secrets.token_hex(12)
    provider_key = "chaos-provider-key-" + secrets.token_hex(12)
    processes = Processes()
    tmux = Tmux(f"lianyaohu-chaos-{os.getpid()}-{seed}", "chaos")
    events: list[Event] = []
    checks: list[Check] = []
    load: AgentLoad | None = None
    poller: Poller | None = None
    watch: ScreenWatch | None = None
    operator: Operator | None = None
    wall_offset = time.time() - now()
    load_before = harness.load_average()
    started_wall = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    a_down_windows: list[tuple[float, float]] = []
    redis_outages: list[tuple[float, float]] = []
    resize_results: list[tuple[str, bool]] = []
    disconnected_seen = recovered = None
    dash_status = None
    restored = False
    try:
        redis = Redis(processes, work, redis_password)
        redis.start()
        upstream = harness.start_simulate(
            processes, binary, work,
            ["--seed", str(seed), "--latency-ms", "5,40", "--chaos-seed", str(seed), "--chaos-phase-s", f"{phase_seconds:g}"])
        sim_log = work / "simulate.log"
        zero = harness.wait_for_line(sim_log, r"chaos phase=0 kind=quiet start_s=\S+ end_s=\S+ at=(\S+)", 10)
        if not zero:
            raise RuntimeError("simulate printed no chaos phase 0")
        origin_wall = harness.parse_time(zero.group(1)) or time.time()
        origin = origin_wall - wall_offset  # the run's time 0 on the monotonic clock
        config = work / "serve.toml"
        write_config(config, upstream)
        environment = {
            "LIANYAOHU_REDIS_URL": redis.url, "LIANYAOHU_API_TOKEN": api_token, "CHAOS_OPENBB_KEY": provider_key}
        instances = {name: Instance(name, binary, work / name, config, environment) for name in ("a", "b")}
        for instance in instances.values():
            instance.start(processes)
        processes.watch()
        for instance in instances.values():
            if not wait_until(lambda i=instance: (harness.get_json(i.url, "/readyz") or {}).get("ready") is True, 30):
                raise RuntimeError(f"serve {instance.name} never became ready")

        # The dashboard, on A, in a tmux server of its own; the token reaches it through the
        # environment only, so it is never typed on screen.
        state = work / "dash-state"
        tmux.run("-f", "/dev/null", "new-session", "-d", "-s", tmux.session, "-x", "120", "-y", "40",
                 f"env -i HOME={work} PATH=/usr/bin:/bin TERM=screen-256color LANG=C.UTF-8 XDG_STATE_HOME={state} "
                 f"XDG_CONFIG_HOME={work}/dash-config LIANYAOHU_API_TOKEN={api_token} HISTFILE=/dev/null "
                 f"PS1='chaos$ ' bash --norc --noprofile")
        tmux.run("send-keys", "-t", tmux.session, f"clear; '{binary}' dash --connect {instances['a'].url}; "
                 "echo \"dash exited $?\"", "Enter")
        dash_up = tmux.wait_for("吕洞宾", 30)
        checks.append(Check("the dashboard starts attached to A", dash_up, "shows the immortals" if dash_up else
                            tmux.screen()[-400:]))

        load = AgentLoad({name: (lambda i=instance: i.url) for name, instance in instances.items()}, SYMBOLS, seed,
                         DEADLINE_SECONDS, agents_per_target=3, pause=(0.05, 0.25), record=work / "responses.jsonl")
        poller = Poller(list(instances.values()), interval=0.5, keep_bodies=work / "polled.jsonl")
        watch = ScreenWatch(tmux, work / "screens.txt")
        operator = Operator(instances["a"], api_token)
        for piece in (load, poller, watch, operator):
            piece.start()

        # The schedule of the run, drawn from the seed: Redis outages, resizes, A's restart.
        actions: list[tuple[float, str, object]] = []
        for down, up, how in plan_redis_outages(rng, duration):
            actions += [(down, f"redis-{how}", None), (up, "redis-start" if how == "stop" else "redis-thaw", None)]
        resize_times = [duration * (k + 1) / (len(RESIZES) + 1) for k in range(len(RESIZES))]
        sizes = RESIZES[1:] + RESIZES[:1]
        rng.shuffle(sizes)
        actions += [(at, "resize", size) for at, size in zip(resize_times, sizes)]
        actions.append((duration * rng.uniform(0.45, 0.6), "restart-a", None))
        # A resize storm: 24 sizes 50 ms apart, 1x1 among them, then a normal size.
        storm = [(rng.randint(20, 220), rng.randint(5, 64)) for _ in range(23)]
        storm.insert(rng.randrange(len(storm)), (1, 1))
        actions.append((duration * rng.uniform(0.25, 0.4), "resize-storm", storm))
        actions.sort(key=lambda action: action[0])
        for at, kind, argument in actions:
            sleep_until(origin + at)
            relative = now() - origin
            if kind == "redis-stop":
                redis.stop()
                redis_outages.append((relative, float("inf")))
                events.append(Event(relative, "redis stopped", f"redis-server SIGTERM (exit {redis.exit_statuses[-1]})"))
            elif kind == "redis-start":
                redis.start()
                redis_outages[-1] = (redis_outages[-1][0], relative)
                events.append(Event(relative, "redis started", f"redis-server back on port {redis.port}"))
            elif kind == "redis-freeze":
                redis.freeze()
                redis_outages.append((relative, float("inf")))
                events.append(Event(relative, "redis frozen", "redis-server SIGSTOP: connections open, no answers"))
            elif kind == "redis-thaw":
                redis.thaw()
                redis_outages[-1] = (redis_outages[-1][0], relative)
                events.append(Event(relative, "redis thawed", "redis-server SIGCONT"))
            elif kind == "resize":
                width, height = argument  # type: ignore[misc]
                tmux.run("resize-window", "-t", tmux.session, "-x", str(width), "-y", str(height))
                drawn = tmux.wait_for("Lianyaohu", 8) and wait_until(lambda: tmux.size() == f"{width}x{height}", 3)
                resize_results.append((f"{width}x{height}", drawn))
                events.append(Event(relative, "terminal resized", f"tmux resize-window {width}x{height}"))
            elif kind == "resize-storm":
                for width, height in argument:  # type: ignore[union-attr]
                    tmux.run("resize-window", "-t", tmux.session, "-x", str(width), "-y", str(height))
                    time.sleep(0.05)
                tmux.run("resize-window", "-t", tmux.session, "-x", "120", "-y", "40")
                drawn = tmux.wait_for("Lianyaohu", 8) and wait_until(lambda: tmux.size() == "120x40", 3)
                resize_results.append(("storm of 24 then 120x40", drawn))
                events.append(Event(relative, "resize storm", "24 sizes 50 ms apart (1x1 among them), then 120x40"))
            elif kind == "restart-a":
                instance = instances["a"]
                status = instance.stop(processes)
                events.append(Event(relative, "serve A stopped", f"SIGTERM, exit status {status}"))
                disconnected_seen = tmux.wait_for(r"DISCONNECTED", 10)
                time.sleep(2)
                instance.start(processes)
                up_at = now()
                wait_until(lambda: (harness.get_json(instance.url, "/readyz") or {}).get("ready") is True, 30)
                a_down_windows.append((origin + relative - 0.5, now() + 0.5))
                events.append(Event(up_at - origin, "serve A started", f"same port {instance.port}, same data directory"))
                recovered = tmux.wait_for(r"DISCONNECTED|CONNECTING", 30, absent=True)
        sleep_until(origin + duration)
        end = now()

        for piece in (operator, load, poller):
            piece.stop()
        # Quit the dashboard with q; its shell then prints the exit status and the stty probe.
        tmux.run("send-keys", "-t", tmux.session, "q")
        quit_seen = tmux.wait_for(r"dash exited \d+", 15)
        match = re.search(r"dash exited (\d+)", tmux.screen())
        dash_status = int(match.group(1)) if match else None
        watch.stop()
        tmux.run("send-keys", "-t", tmux.session,
                 "clear; stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' '; echo", "Enter")
        time.sleep(1)
        restored = subprocess.run(
            ["bash", "-c", f"socket={tmux.socket}; session={tmux.session}; source Tests/e2e/lib/tmux.bash; "
                           "wait_for 5 terminal_restored"],
            cwd=Path(__file__).resolve().parents[2], capture_output=True, timeout=30).returncode == 0
        final_screen = tmux.screen()

        # Final documents, for the secret scan, then orderly stops.
        finals = []
        for instance in instances.values():
            for path in ("/metrics", "/readyz", "/v1/cache", "/v1/providers", "/v1/immortals"):
                try:
                    finals.append(harness.http_get(instance.url, path, timeout=5)[1])
                except OSError:
                    pass
        stops = {f"serve {name}": instance.stop(processes) for name, instance in instances.items()}
        stops["simulate"] = processes.stop("simulate", grace=15)
        redis.stop()

        phases = parse_phases(sim_log, origin_wall)
        checks += assess(
            seed=seed, work=work, processes=processes, instances=instances, redis=redis, stops=stops, load=load,
            poller=poller, phases=phases, origin=origin, end=end, watch=watch, resize_results=resize_results,
            disconnected_seen=disconnected_seen, recovered=recovered, quit_seen=quit_seen, dash_status=dash_status,
            restored=restored, final_screen=final_screen, finals=finals, operator=operator,
            secrets_=(("Redis password", redis_password), ("API token", api_token), ("provider key", provider_key)),
            a_down_windows=a_down_windows, wall_offset=wall_offset, redis_outages=redis_outages)
        report = render_report(seed, minutes, phase_seconds, started_wall, load_before, harness.load_average(), phases,
                               events, checks, load, poller, origin, instances, redis)
    except harness.Interrupted:
        raise
    except Exception as failure:  # noqa: BLE001 - a broken run is a failed run, with its reason
        checks.append(Check("the run completed", False, f"{type(failure).__name__}: {failure}"))
        report = f"# Chaos run, seed {seed}\n\nThe run broke off: {type(failure).__name__}: {failure}\n"
    finally:
        for piece in (operator, load, poller):
            if piece is not None:
                try:
                    piece.stop()
                except Exception:  # noqa: BLE001
                    pass
        tmux.kill()
        processes.stop_all()
    (work / "report.md").write_text(report)
    print(report, flush=True)
    return all(check.passed for check in checks), report


def wait_until(predicate, seconds: float) -> bool:
    deadline = now() + seconds
    while now() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def sleep_until(deadline: float) -> None:
    while True:
        left = deadline - now()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))


def parse_phases(path: Path, origin_wall: float) -> list[Phase]:
    text = path.read_text(errors="replace")
    phases: dict[int, Phase] = {}
    for match in PHASE_LINE.finditer(text):
        index = int(match.group(1))
        wall = harness.parse_time(match.group(5)) or origin_wall
        start = wall - origin_wall
        phases[index] = Phase(index, match.group(2), start, start + float(match.group(4)) - float(match.group(3)),
                              float(match.group(6)), int(match.group(7)), match.group(8))
    for match in END_LINE.finditer(text):
        phase = phases.get(int(match.group(1)))
        if phase:
            phase.requests, phase.faulted = int(match.group(2)), int(match.group(3))
    return [phases[index] for index in sorted(phases)]


def assess(*, seed, work, processes, instances, redis, stops, load, poller, phases, origin, end, watch, resize_results,
           disconnected_seen, recovered, quit_seen, dash_status, restored, final_screen, finals, operator, secrets_,
           a_down_windows, wall_offset, redis_outages) -> list[Check]:
    checks: list[Check] = []
    run_end = end - origin

    # 1. Nothing crashed: no unexpected exit while the run went on, every planned stop exited 0,
    # no core file, no crash report in any log.
    deaths = [f"{name} at {at - origin:.0f}s ({harness.describe_status(status)})" for at, name, status in processes.deaths]
    checks.append(Check("no process died during the run (poll + kill -0 every second)", not deaths,
                        f"{processes.checks} liveness checks; " + ("; ".join(deaths) if deaths else "no unexpected exit")))
    statuses = {**{f"{k} (final)": v for k, v in stops.items()},
                **{f"serve a (restart {n + 1})": s for n, s in enumerate(instances["a"].exit_statuses[:-1])},
                **{f"redis-server (stop {n + 1})": s for n, s in enumerate(redis.exit_statuses)}}
    bad = {name: status for name, status in statuses.items() if status != 0}
    checks.append(Check("every planned stop exited 0 (SIGTERM drains)", not bad,
                        f"{len(statuses)} stops; " + (", ".join(f"{n}: {harness.describe_status(s)}" for n, s in bad.items())
                                                      if bad else "all 0")))
    cores = [str(path) for path in list(work.rglob("core")) + list(work.rglob("core.*"))]
    logs = [*work.glob("*.log"), *[log for instance in instances.values() for log in instance.logs()],
            *work.rglob("dashboard.log")]
    crash_lines = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            if CRASH_MARKERS.search(line):
                crash_lines.append(f"{log.name}: {line[:160]}")
    checks.append(Check("no core dump and no crash report in any log", not cores and not crash_lines,
                        f"{len(logs)} logs scanned; cores: {len(cores)}; crash lines: {len(crash_lines)}"
                        + ("; " + " | ".join(crash_lines[:3]) if crash_lines else "")))

    # 2. No request hung past its deadline; connection errors only while A was down on purpose.
    responses = load.responses
    latencies = [response.elapsed for response in responses]
    checks.append(Check(f"no request hung past its {DEADLINE_SECONDS:g} s deadline", not load.hung,
                        f"{len(responses)} requests; p50 {harness.percentile(latencies, 0.5) * 1000:.0f} ms, "
                        f"p99 {harness.percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies, default=0) * 1000:.0f} ms; "
                        f"{len(load.hung)} past the deadline"))

    def planned_down(response) -> bool:
        return response.instance == "a" and any(begin <= response.started <= finish for begin, finish in a_down_windows)

    unanswered = [response for response in responses if response.status is None and not planned_down(response)]
    refused = sum(1 for response in responses if response.status is None and planned_down(response))
    checks.append(Check("every request got an HTTP answer (except while A was restarted on purpose)", not unanswered,
                        f"{len(unanswered)} without an answer; {refused} refused during A's planned restart"
                        + (f"; e.g. {unanswered[0].error} on {unanswered[0].instance} {unanswered[0].target}" if unanswered else "")))
    server_errors = [response for response in responses if response.status is not None and response.status >= 500
                     and response.status not in (502, 503)]
    checks.append(Check("no 5xx other than the documented 502/503", not server_errors,
                        f"{len(server_errors)} other 5xx" + (f"; e.g. {server_errors[0].status} {server_errors[0].target}"
                                                             if server_errors else "")))

    incomplete = [response for response in responses if response.kind == "batch" and response.status == 200
                  and sorted([q.symbol for q in response.quotes] + response.error_symbols) != sorted(response.asked)]
    batches = sum(1 for response in responses if response.kind == "batch" and response.status == 200)
    checks.append(Check("every batch answer accounts for every symbol asked, once (a quote or an error)", not incomplete,
                        f"{batches} batch answers, {len(incomplete)} incomplete"
                        + (f"; e.g. asked {incomplete[0].asked}" if incomplete else "")))

    # 3. Breakers: open (or half-open) during every errors and resets phase, closed again in
    # the quiet phase after it.
    samples = poller.samples

    def states(instance: str, begin: float, finish: float) -> list[str]:
        return [breakers.get("openbb", "?") for at, name, breakers, _ in samples
                if name == instance and begin <= at - origin <= finish and breakers]

    opened_total = opened_ok = closed_total = closed_ok = 0
    misses = []
    for position, phase in enumerate(phases):
        if phase.end > run_end:
            break
        for name in instances:
            seen = states(name, phase.start, phase.end + 2)
            if phase.kind in ("errors", "resets"):
                opened_total += 1
                if any(state in ("open", "half-open") for state in seen):
                    opened_ok += 1
                else:
                    misses.append(f"{name} stayed {sorted(set(seen))} in phase {phase.index} ({phase.kind})")
            if phase.kind == "quiet" and position > 0 and phases[position - 1].kind != "quiet":
                closed_total += 1
                if "closed" in seen:
                    closed_ok += 1
                else:
                    misses.append(f"{name} never closed in quiet phase {phase.index} (saw {sorted(set(seen))})")
    checks.append(Check("breakers opened during every errors/resets phase", opened_total > 0 and opened_ok == opened_total,
                        f"{opened_ok}/{opened_total} phase x instance" + ("; " + "; ".join(m for m in misses if "stayed" in m)
                                                                          if opened_ok != opened_total else "")))
    checks.append(Check("breakers closed again in every quiet phase after a fault", closed_total > 0 and closed_ok == closed_total,
                        f"{closed_ok}/{closed_total} phase x instance" + ("; " + "; ".join(m for m in misses if "closed" in m)
                                                                          if closed_ok != closed_total else "")))

    # 4. Stale data is always marked.
    quotes = [(response, quote) for response in responses for quote in response.quotes]
    old = [(response, quote) for response, quote in quotes if quote.age_seconds > TTL_SECONDS]
    unmarked = [(response, quote) for response, quote in old if not quote.stale]
    checks.append(Check(f"every quote older than its TTL ({TTL_SECONDS:g} s by age_seconds) has stale: true", not unmarked,
                        f"{len(quotes)} quotes served, {len(old)} past the TTL, {len(unmarked)} of them unmarked"
                        + (f"; e.g. {unmarked[0][1]}" if unmarked else "")))
    by_as_of = [(response, quote) for response, quote in quotes
                if quote.as_of is not None and response.wall_ended - quote.as_of > TTL_SECONDS + AS_OF_SLACK_SECONDS]
    unmarked_as_of = [(response, quote) for response, quote in by_as_of if not quote.stale]
    checks.append(Check(f"every quote whose as_of is older than TTL + {AS_OF_SLACK_SECONDS:g} s has stale: true",
                        not unmarked_as_of,
                        f"{len(by_as_of)} quotes that old by as_of, {len(unmarked_as_of)} unmarked"
                        + (f"; e.g. {describe(unmarked_as_of[0])}" if unmarked_as_of else "")))

    # 5. as_of never goes backwards for a symbol on one instance: a response never carries an
    # older as_of than one the same instance had already finished answering before it was asked.
    backwards = []
    compared = 0
    for name in instances:
        per_symbol: dict[str, list[tuple[float, float, float]]] = {}
        for response in responses:
            if response.instance != name:
                continue
            for quote in response.quotes:
                if quote.as_of is not None:
                    per_symbol.setdefault(quote.symbol, []).append((response.started, response.ended, quote.as_of))
        for symbol, seen in per_symbol.items():
            by_end = sorted(seen, key=lambda item: item[1])
            newest = float("-inf")
            pointer = 0
            for started, _, as_of in sorted(seen, key=lambda item: item[0]):
                while pointer < len(by_end) and by_end[pointer][1] < started:
                    newest = max(newest, by_end[pointer][2])
                    pointer += 1
                compared += 1
                if as_of < newest:
                    backwards.append(f"{name} {symbol} at {started - origin:.1f}s: as_of {as_of - newest:.0f} s behind")
    checks.append(Check("as_of never went backwards for a symbol on one instance", not backwards,
                        f"{compared} quotes compared with what the instance had answered before; {len(backwards)} went back"
                        + ("; " + "; ".join(backwards[:3]) if backwards else "")))

    # 6. The dashboard.
    drawn = sum(1 for _, ok in resize_results if ok)
    checks.append(Check("the dashboard kept drawing through every resize", drawn == len(resize_results) > 0,
                        f"{drawn}/{len(resize_results)} sizes redrawn: " + ", ".join(f"{size}{'' if ok else ' (FAILED)'}"
                                                                               for size, ok in resize_results)))
    checks.append(Check("the dashboard showed DISCONNECTED while A restarted, and recovered", bool(disconnected_seen and recovered),
                        f"DISCONNECTED seen: {bool(disconnected_seen)}; badge gone after restart: {bool(recovered)}"))
    shown = unmarked_on_screen = 0
    example = ""
    for at, text in watch.captures:
        for line in text.splitlines():
            for match in SCREEN_QUOTE.finditer(line):
                shown += 1
                age = int(match.group(4)) * {"s": 1, "m": 60, "h": 3600}[match.group(5)]
                # Ages show in whole seconds: one shown as TTL + 1 or more is past the TTL.
                if age >= TTL_SECONDS + 1 and not match.group(2):
                    unmarked_on_screen += 1
                    example = example or f"at {at - origin:.0f}s: {match.group(0)[:70]}"
    checks.append(Check(f"the dashboard marked every quote shown older than the TTL ({TTL_SECONDS:g} s) with ~",
                        shown > 0 and unmarked_on_screen == 0,
                        f"{shown} quotes read off {len(watch.captures)} screens, {unmarked_on_screen} past the TTL unmarked"
                        + (f"; e.g. {example}" if example else "")))
    blank = sum(1 for _, text in watch.captures if not text.strip())
    checks.append(Check("q quit the dashboard with exit status 0 and the terminal restored", bool(quit_seen and dash_status == 0 and restored),
                        f"exit status {dash_status}; icanon, echo and isig on after quit: {restored}; "
                        f"{len(watch.captures)} screen captures, {blank} blank"))

    # 7. Operator routes need the token.
    # (No answer at all only while A was down for its planned restart: the next check counts those.)
    without = [status for _, label, status in operator.results if label == "without token" and status is not None]
    with_token = [status for _, label, status in operator.results if label == "with token" and status is not None]
    checks.append(Check("mutating routes refused without the token (401) and allowed with it",
                        bool(without) and all(s == 401 for s in without) and bool(with_token)
                        and all(s == 200 for s in with_token),
                        f"{len(without)} tries without: {sorted(set(map(str, without)))}; {len(with_token)} with: "
                        f"{sorted(set(map(str, with_token)))}"))

    # 8. The Redis tier follows Redis: reported down during each outage (by its end, or within
    # a second after) and up again within 20 s of each restart, on both instances.
    down_total = down_ok = up_total = up_ok = 0
    tier_misses = []
    for stop_at, start_at in redis_outages:
        for name in instances:
            if any(begin - origin <= stop_at <= finish - origin for begin, finish in a_down_windows) and name == "a":
                continue
            seen = [(at - origin, tiers.get("redis")) for at, instance, _, tiers in samples if instance == name and tiers]
            down_total += 1
            if any(up is False for at, up in seen if stop_at <= at <= start_at + 1):
                down_ok += 1
            else:
                tier_misses.append(f"{name} never reported it down in the outage at {stop_at:.0f}s")
            if start_at + 20 > run_end:
                continue
            up_total += 1
            if any(up is True for at, up in seen if start_at <= at <= start_at + 20):
                up_ok += 1
            else:
                tier_misses.append(f"{name} not back up within 20 s of the restart at {start_at:.0f}s")
    checks.append(Check("/readyz reported the Redis tier down in every outage and up within 20 s of every restart",
                        down_total > 0 and down_ok == down_total and up_ok == up_total,
                        f"down {down_ok}/{down_total}, up again {up_ok}/{up_total} (outage x instance)"
                        + ("; " + "; ".join(tier_misses) if tier_misses else "")))

    # 9. No secret anywhere.
    haystacks: dict[str, bytes] = {}
    for path in [*work.rglob("*.log"), work / "responses.jsonl", work / "polled.jsonl", work / "screens.txt"]:
        if path.is_file():
            haystacks[str(path.relative_to(work))] = path.read_bytes()
    haystacks["final /metrics /readyz /v1/cache /v1/providers /v1/immortals"] = b"\n".join(finals)
    haystacks["final screen"] = final_screen.encode()
    leaks = [f"{label} in {where}" for label, secret in secrets_ for where, data in haystacks.items()
             if secret.encode() in data]
    size = sum(len(data) for data in haystacks.values())
    checks.append(Check("no secret (Redis password, API token, provider key) in any log, response or screen", not leaks,
                        f"{len(haystacks)} sources, {size / 1e6:.1f} MB scanned" + ("; " + "; ".join(leaks) if leaks else "")))
    return checks


def describe(pair) -> str:
    response, quote = pair
    return (f"{response.instance} {quote.symbol} as_of {response.wall_ended - quote.as_of:.1f} s old, "
            f"age_seconds {quote.age_seconds:.1f}, origin {quote.origin}")


def render_report(seed, minutes, phase_seconds, started_wall, load_before, load_after, phases, events, checks, load,
                  poller, origin, instances, redis) -> str:
    passed = sum(1 for check in checks if check.passed)
    lines = [f"# Chaos run, seed {seed}", "",
             f"Started {started_wall}; {minutes:g} min; chaos phases of {phase_seconds:g} s; TTL {TTL_SECONDS:g} s; "
             f"request deadline {DEADLINE_SECONDS:g} s; load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
             f"(2 cores shared).", "",
             f"**{'PASS' if passed == len(checks) else 'FAIL'}**: {passed}/{len(checks)} assertions passed.", "",
             "## Faults injected", "",
             "| time (s) | fault | what | upstream requests (faulted) |", "|---:|---|---|---|"]
    rows = [(phase.start, f"upstream {phase.kind}", f"phase {phase.index}: {phase.detail}",
             f"{phase.requests} ({phase.faulted})" if phase.requests is not None else "–") for phase in phases]
    rows += [(event.at, event.kind, event.detail, "") for event in events]
    for at, kind, what, counts in sorted(rows, key=lambda row: row[0]):
        lines.append(f"| {at:.1f} | {kind} | {what} | {counts} |")
    lines += ["", "## Assertions", "", "| result | assertion | counts |", "|---|---|---|"]
    for check in checks:
        lines.append(f"| {'pass' if check.passed else '**FAIL**'} | {check.name} | {check.detail.replace('|', '/')} |")
    lines += ["", "## Load", "", "| instance | answers by status |", "|---|---|"]
    for name in instances:
        counts = {key.split(" ", 1)[1]: value for key, value in load.counts.items() if key.startswith(name + " ")}
        lines.append(f"| {name} | " + ", ".join(f"{key}: {value}" for key, value in sorted(counts.items())) + " |")
    per_kind: dict[str, list[int]] = {}
    for phase in phases:
        if phase.requests is not None:
            per_kind.setdefault(phase.kind, []).append(phase.requests)
    origins: dict[str, int] = {}
    for response in load.responses:
        for quote in response.quotes:
            key = f"{response.instance} {quote.origin}{' stale' if quote.stale else ''}"
            origins[key] = origins.get(key, 0) + 1
    lines += ["", "Quotes served by origin: " + ", ".join(f"{key}: {value}" for key, value in sorted(origins.items())) + "."]
    lines += ["", "Upstream requests per phase, mean by kind (fewer during rate limits: Retry-After honoured; "
              "fewer during errors and resets: breakers open): "
              + ", ".join(f"{kind} {harness.mean(counts):.0f}" for kind, counts in sorted(per_kind.items())) + "."]
    lines += ["", "## Breaker transitions (openbb, as polled every 0.5 s)", ""]
    for name in instances:
        transitions = []
        previous = None
        for at, instance, breakers, _ in poller.samples:
            state = breakers.get("openbb")
            if instance == name and state and state != previous:
                transitions.append(f"{at - origin:.0f}s {state}")
                previous = state
        lines.append(f"- {name}: " + ", ".join(transitions))
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=1, help="run this many seeds in a row: SEED, SEED+1, ...")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--phase-s", type=float, default=10.0)
    parser.add_argument("--out", default=".build/chaos")
    args = parser.parse_args()
    harness.install_signal_handlers()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for seed in range(args.seed, args.seed + max(1, args.seeds)):
            ok, _ = run_seed(seed, args.minutes, args.phase_s, args.binary, out)
            results.append((seed, ok))
    except harness.Interrupted as signal_name:
        print(f"chaos: interrupted by {signal_name}; everything started was stopped", file=sys.stderr)
        return 130
    summary = ["# Chaos suite", ""] + [f"- seed {seed}: {'PASS' if ok else 'FAIL'} (report: {out}/seed-{seed}/report.md)"
                                       for seed, ok in results]
    (out / "summary.md").write_text("\n".join(summary) + "\n")
    print("\n".join(summary))
    failed = sum(1 for _, ok in results if not ok)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
