"""The chaos suite behind scripts/chaos: one seeded run of the real binaries on loopback.

    python3 scripts/lib/chaos.py --binary PATH [--seed N] [--seeds K] [--minutes M] [--out DIR]

Per seed: `lianyaohu simulate --chaos-seed N` as the only upstream (an `openbb` provider with
a requests_per_minute counted fleet-wide in Redis), three `serve` instances (A, B, C) sharing
a password-protected redis-server that is stopped and restarted on a schedule drawn from the
seed, instance A restarted once (SIGTERM), B or C killed once (SIGKILL) and started again,
`dash --connect` on A in tmux (resized several times, quit with q), and an agent load on all
three throughout. Then every assertion is checked and a markdown report is written and
printed. Exit status 1 when any assertion failed in any seed.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import AgentLoad, Instance, Periodic, Poller, Processes, Redis, now  # noqa: E402

TTL_SECONDS = 5.0
INSTANCES = ("a", "b", "c")
# The upstream provider's limits, cluster-wide through Redis (README, "Provider budgets are
# cluster-wide"): well below what the fleet asks when nothing holds it back (4-5 calls a second
# once Redis comes back empty and every symbol is stale), so the sliding minute fills and
# refuses for a good part of every run (40-60 s of 180 in seeds 1-3). The burst is each
# instance's own token bucket, set above the per-second demand so that the fleet's budget, not
# an instance's limiter, is what refuses.
RATE_LIMIT_PER_MINUTE = 150
RATE_LIMIT_BURST = 10
# How a kill -9'd instance comes back: this long after the kill, on the same port and data.
KILL_DOWN_SECONDS = 3.0
# The upstream-call windows checked against the budget: 59 s rather than 60, so that the up to
# 250 ms (Redis timeout) plus scheduling delay between Redis admitting a call by its clock and
# the instance counting it in lianyaohu_upstream_requests_total cannot make one window hold a
# call from each end of a legitimate 60 s.
BUDGET_WINDOW_SECONDS = 59.0
DEADLINE_SECONDS = 5.0
# The market ticks every 250 ms and OpenBB's `last_timestamp` has whole seconds: a fresh
# quote's as_of may trail its arrival by up to 1.25 s. Slack on top of the TTL for that.
AS_OF_SLACK_SECONDS = 2.0
SYMBOLS = ["AAPL", "NVDA", "MSFT", "TSLA", "AMD", "SPY", "QQQ", "GLD", "TLT", "KO", "JPM", "GOOGL", "AMZN",
           "META", "INTC", "PLTR", "XOM", "WMT", "EURUSD=X", "IBM-X"]
# IBM-X and EURUSD=X are no listings of the simulated market: the unknown-symbol path (404,
# remembered for a minute; 429 while the budget keeps the provider from being asked).
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


class MetricsWatch(Periodic):
    """Reads every instance's /metrics every half second: its count of upstream calls
    (`lianyaohu_upstream_requests_total{provider="openbb"}`) and of failed ones (every class of
    `lianyaohu_upstream_errors_total{provider="openbb"}`), with the process generation they
    came from (a restart starts the counters from 0 again)."""

    PATTERN = re.compile(r'^lianyaohu_upstream_requests_total\{[^}]*provider="openbb"[^}]*\}\s+([0-9.eE+-]+)\s*$', re.M)
    ERRORS = re.compile(r'^lianyaohu_upstream_errors_total\{[^}]*provider="openbb"[^}]*\}\s+([0-9.eE+-]+)\s*$', re.M)

    def __init__(self, instances: dict[str, Instance]) -> None:
        super().__init__("metrics-watch", 0.5)
        self.instances = instances
        self.samples: list[tuple[float, str, int, float]] = []  # (time, instance, generation, calls)
        self.error_samples: list[tuple[float, str, int, float]] = []  # (time, instance, generation, failed calls)

    def tick(self) -> None:
        for name, instance in self.instances.items():
            generation = instance.starts
            try:
                status, body = harness.http_get(instance.url, "/metrics", timeout=3)
            except OSError:
                continue
            if status != 200 or generation != instance.starts:
                continue
            text = body.decode("utf-8", "replace")
            match = self.PATTERN.search(text)
            at = now()
            self.samples.append((at, name, generation, float(match.group(1)) if match else 0.0))
            self.error_samples.append((at, name, generation, sum(float(value) for value in self.ERRORS.findall(text))))


class RedisWatch(Periodic):
    """Reads the fleet's budget in Redis every half second: how many calls its sliding minute
    holds now (by Redis's clock), as the budget script counts them. No answer while Redis is
    stopped or frozen."""

    KEY = "lianyaohu:v1:budget:openbb:minute"
    SCRIPT = ("local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
              "return redis.call('ZCOUNT', KEYS[1], now - 60000, '+inf')")

    def __init__(self, redis: Redis) -> None:
        super().__init__("redis-watch", 0.5)
        self.redis = redis
        self.samples: list[tuple[float, int]] = []

    @staticmethod
    def command(*parts: str) -> bytes:
        return (f"*{len(parts)}\r\n" + "".join(f"${len(part.encode())}\r\n{part}\r\n" for part in parts)).encode()

    def tick(self) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.redis.port), timeout=0.5) as connection:
                connection.sendall(self.command("AUTH", self.redis.password)
                                   + self.command("EVAL", self.SCRIPT, "1", self.KEY))
                reply = b""
                while reply.count(b"\r\n") < 2:
                    chunk = connection.recv(200)
                    if not chunk:
                        return
                    reply += chunk
        except OSError:
            return
        match = re.search(rb"\r\n:(\d+)\r\n", reply)
        if match:
            self.samples.append((now(), int(match.group(1))))


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
requests_per_minute = {RATE_LIMIT_PER_MINUTE}
burst = {RATE_LIMIT_BURST}
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


def place_clear(rng: random.Random, low: float, high: float, busy: list[tuple[float, float]], before: float,
                after: float) -> float:
    """A time in [low, high], drawn from the seed, whose span [t - before, t + after] meets no busy
    span (Redis outages, another instance's restart); the draw alone when no such time exists."""
    drawn = rng.uniform(low, high)
    candidates = [low + step * 0.5 for step in range(int((high - low) / 0.5) + 1)]
    clear = [t for t in candidates if all(t + after < begin or t - before > finish for begin, finish in busy)]
    if not clear:
        return drawn
    return min(clear, key=lambda t: abs(t - drawn))


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
    # Per instance, when it was down on purpose (monotonic): A's restart, the kill -9.
    down_windows: dict[str, list[tuple[float, float]]] = {name: [] for name in INSTANCES}
    killed: dict[str, object] = {}
    metrics: MetricsWatch | None = None
    budget_watch: RedisWatch | None = None
    redis_outages: list[tuple[float, float]] = []
    redis_restarts: list[float] = []  # run-relative: a new, empty redis-server (an empty budget)
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
        instances = {name: Instance(name, binary, work / name, config, environment) for name in INSTANCES}
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

        # Two agents per instance: six in all, as many as the two-instance run had.
        load = AgentLoad({name: (lambda i=instance: i.url) for name, instance in instances.items()}, SYMBOLS, seed,
                         DEADLINE_SECONDS, agents_per_target=2, pause=(0.05, 0.25), record=work / "responses.jsonl")
        poller = Poller(list(instances.values()), interval=0.5, keep_bodies=work / "polled.jsonl")
        watch = ScreenWatch(tmux, work / "screens.txt")
        operator = Operator(instances["a"], api_token)
        metrics = MetricsWatch(instances)
        budget_watch = RedisWatch(redis)
        for piece in (load, poller, watch, operator, metrics, budget_watch):
            piece.start()

        # The schedule of the run, drawn from the seed: Redis outages, resizes, A's restart.
        actions: list[tuple[float, str, object]] = []
        planned_outages = plan_redis_outages(rng, duration)
        for down, up, how in planned_outages:
            actions += [(down, f"redis-{how}", None), (up, "redis-start" if how == "stop" else "redis-thaw", None)]
        resize_times = [duration * (k + 1) / (len(RESIZES) + 1) for k in range(len(RESIZES))]
        sizes = RESIZES[1:] + RESIZES[:1]
        rng.shuffle(sizes)
        actions += [(at, "resize", size) for at, size in zip(resize_times, sizes)]
        # A's restart and the kill -9 fall between Redis outages (3 s clear before, 18 s after),
        # and not on each other: so at most one instance is down at a time, and each instance's
        # last-known count of live instances is 3 whenever an outage begins (an instance that
        # starts with Redis down counts alone at the whole limit until Redis answers). The victim
        # of the kill, B or C, comes from the seed; A keeps the dashboard and the graceful restart.
        busy = [(down, up) for down, up, _ in planned_outages]
        restart_at = place_clear(rng, duration * 0.35, duration * 0.6, busy, 3, 18)
        actions.append((restart_at, "restart-a", None))
        victim = rng.choice(["b", "c"])
        kill_at = place_clear(rng, duration * 0.62, duration * 0.82, busy + [(restart_at - 3, restart_at + 18)], 3, 18)
        actions.append((kill_at, "kill", victim))
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
                redis_restarts.append(now() - origin)
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
                down_windows["a"].append((origin + relative - 0.5, now() + 0.5))
                events.append(Event(up_at - origin, "serve A started", f"same port {instance.port}, same data directory"))
                recovered = tmux.wait_for(r"DISCONNECTED|CONNECTING", 30, absent=True)
            elif kind == "kill":
                name = str(argument)
                instance = instances[name]
                entry = processes.managed[instance.process_name]
                entry.expected_up = False  # planned: the watcher must not count it as a crash
                entry.process.kill()
                entry.process.wait()
                status = entry.process.returncode
                instance.exit_statuses.append(status)
                killed.update(name=name, status=status, at=relative)
                events.append(Event(relative, f"serve {name.upper()} killed",
                                    f"kill -9 ({harness.describe_status(status)}), mid-run, no drain"))
                time.sleep(KILL_DOWN_SECONDS)
                instance.start(processes)
                listening = now()
                ready = wait_until(lambda: (harness.get_json(instance.url, "/readyz") or {}).get("ready") is True, 30)
                down_windows[name].append((origin + relative - 0.5, now() + 0.5))
                killed.update(ready=ready, listening=listening - origin, ready_at=now() - origin)
                events.append(Event(listening - origin, f"serve {name.upper()} started",
                                    f"same port {instance.port}, same data directory; ready: {ready} "
                                    f"({now() - listening:.1f} s after listening)"))
        sleep_until(origin + duration)
        end = now()

        for piece in (operator, load, poller, metrics, budget_watch):
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
        assessed, budget_summary = assess(
            seed=seed, work=work, processes=processes, instances=instances, redis=redis, stops=stops, load=load,
            poller=poller, phases=phases, origin=origin, end=end, watch=watch, resize_results=resize_results,
            disconnected_seen=disconnected_seen, recovered=recovered, quit_seen=quit_seen, dash_status=dash_status,
            restored=restored, final_screen=final_screen, finals=finals, operator=operator,
            secrets_=(("Redis password", redis_password), ("API token", api_token), ("provider key", provider_key)),
            down_windows=down_windows, wall_offset=wall_offset, redis_outages=redis_outages, killed=killed,
            metrics=metrics, redis_restarts=redis_restarts, budget_watch=budget_watch)
        checks += assessed
        (work / "samples.json").write_text(json.dumps({
            "origin_note": "times are seconds since the simulate's phase 0",
            "upstream_calls": [(round(at - origin, 2), name, generation, value) for at, name, generation, value in metrics.samples],
            "upstream_failures": [(round(at - origin, 2), name, generation, value)
                                  for at, name, generation, value in metrics.error_samples],
            "budget_minute_log": [(round(at - origin, 2), count) for at, count in budget_watch.samples],
            "budget_modes": [(round(at - origin, 2), name, provider, scope, count, reason)
                             for at, name, provider, scope, count, reason in poller.budgets],
            "breakers": [(round(at - origin, 2), name, breakers.get("openbb")) for at, name, breakers, _ in poller.samples],
            "redis_outages": redis_outages, "redis_restarts": redis_restarts,
            "down_windows": {name: [(round(b - origin, 2), round(f - origin, 2)) for b, f in spans]
                             for name, spans in down_windows.items()},
        }))
        report = render_report(seed, minutes, phase_seconds, started_wall, load_before, harness.load_average(), phases,
                               events, checks, load, poller, origin, instances, redis, budget_summary)
    except harness.Interrupted:
        raise
    except Exception as failure:  # noqa: BLE001 - a broken run is a failed run, with its reason
        checks.append(Check("the run completed", False, f"{type(failure).__name__}: {failure}"))
        report = f"# Chaos run, seed {seed}\n\nThe run broke off: {type(failure).__name__}: {failure}\n"
    finally:
        for piece in (operator, load, poller, metrics, budget_watch):
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
           down_windows, wall_offset, redis_outages, killed, metrics, redis_restarts, budget_watch) -> tuple[list[Check], list[str]]:
    checks: list[Check] = []
    run_end = end - origin

    # Upstream calls per instance over time, from its lianyaohu_upstream_requests_total polled
    # every 0.5 s (run-relative times; a restart's counter continues the one before it).
    def cumulative(samples) -> dict[str, list[tuple[float, int, float]]]:
        """Per instance: (time, generation, count since the first start), restarts joined up."""
        result: dict[str, list[tuple[float, int, float]]] = {name: [] for name in instances}
        last: dict[str, tuple[int, float, float]] = {}  # generation, raw value, offset
        for at, name, generation, value in sorted(samples, key=lambda sample: sample[0]):
            previous_generation, previous_value, offset = last.get(name, (generation, 0.0, 0.0))
            if generation != previous_generation or value < previous_value:
                offset += previous_value
            last[name] = (generation, value, offset)
            result[name].append((at - origin, generation, offset + value))
        return result

    series = cumulative(metrics.samples)
    error_series = cumulative(metrics.error_samples)

    def between(points: list[tuple[float, int, float]], begin: float, finish: float) -> float:
        times = [point[0] for point in points]
        first = bisect.bisect_left(times, begin)
        final = bisect.bisect_right(times, finish) - 1
        return points[final][2] - points[first][2] if 0 <= first < final else 0.0

    def calls(name: str, begin: float, finish: float) -> float:
        """Calls `name` made between its first poll at or after `begin` and its last at or before `finish`."""
        return between(series[name], begin, finish)

    def failures(name: str, begin: float, finish: float) -> float:
        """The calls among those that failed (any error class)."""
        return between(error_series[name], begin, finish)

    limit = RATE_LIMIT_PER_MINUTE
    budget_log = [(at - origin, count) for at, count in budget_watch.samples]

    def budget_full(begin: float, finish: float) -> bool:
        """Whether the fleet's minute log in Redis held the whole limit at some time in [begin, finish]."""
        return any(begin <= at <= finish and count >= limit for at, count in budget_log)

    # When each instance counted the budget alone (Redis outages, and every poll of its
    # /v1/providers that showed `local_share` for the time since its previous poll), and the
    # number it divided the limits by then.
    local_spans: dict[str, list[tuple[float, float]]] = {name: [(a, b) for a, b in redis_outages] for name in instances}
    divisors: dict[str, list[tuple[float, int]]] = {name: [] for name in instances}
    previous_poll: dict[str, float] = {}
    for at, name, provider, scope, count, reason in poller.budgets:
        relative = at - origin
        if provider == "openbb" and scope == "local_share" and reason != "redis not asked yet":
            local_spans[name].append((previous_poll.get(name, relative - 0.5), relative))
            divisors[name].append((relative, count))
        previous_poll[name] = relative

    def budget_limited(name: str, begin: float, finish: float) -> bool:
        """Whether the budget held `name` back in [begin, finish]: the fleet's minute log full, or
        the instance counting alone at its share (a third of the limit, burst 1)."""
        return budget_full(begin, finish) or any(a <= finish and b >= begin for a, b in local_spans[name])

    def down_during(name: str, begin: float, finish: float) -> bool:
        """Whether `name` was down on purpose at any time in [begin, finish] (run-relative seconds)."""
        return any(b - origin <= finish and f - origin >= begin for b, f in down_windows[name])

    # 1. Nothing crashed: no unexpected exit while the run went on, every planned stop exited 0,
    # no core file, no crash report in any log.
    deaths = [f"{name} at {at - origin:.0f}s ({harness.describe_status(status)})" for at, name, status in processes.deaths]
    checks.append(Check("no process died during the run (poll + kill -0 every second)", not deaths,
                        f"{processes.checks} liveness checks; " + ("; ".join(deaths) if deaths else "no unexpected exit")))
    statuses = {**{f"{k} (final)": v for k, v in stops.items()},
                **{f"serve a (restart {n + 1})": s for n, s in enumerate(instances["a"].exit_statuses[:-1])},
                **{f"redis-server (stop {n + 1})": s for n, s in enumerate(redis.exit_statuses)}}
    # The kill -9'd instance's first exit is the kill (checked below), not a planned stop.
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

    # 1b. The kill -9: the victim died of SIGKILL, came back on its port and data directory, and
    # was ready again; the other two answered every request sent to them while it was down.
    if killed:
        victim = str(killed["name"])
        begin, finish = down_windows[victim][-1]
        others = [response for response in load.responses if response.instance != victim
                  and response.started <= finish and response.ended >= begin]
        others_bad = [response for response in others if response.status is None or response.timed_out
                      or (response.status >= 500 and response.status not in (502, 503))]
        checks.append(Check(f"serve {victim.upper()}, killed with SIGKILL mid-run, came back ready on its port and data",
                            killed["status"] == -9 and bool(killed.get("ready")),
                            f"killed at {killed['at']:.1f}s ({harness.describe_status(killed['status'])}), "
                            f"listening again at {killed.get('listening', 0):.1f}s, ready at {killed.get('ready_at', 0):.1f}s"
                            f" (ready: {killed.get('ready')})"))
        by_status: dict[str, int] = {}
        for response in others:
            key = str(response.status if response.status is not None else response.error)
            by_status[key] = by_status.get(key, 0) + 1
        checks.append(Check(f"the other two answered every request while {victim.upper()} was down (no refusal, "
                            "no hang, no unexpected 5xx)", bool(others) and not others_bad,
                            f"{len(others)} requests to them in the {finish - begin:.1f} s window: "
                            + ", ".join(f"{key}: {value}" for key, value in sorted(by_status.items()))
                            + (f"; e.g. {others_bad[0].instance} {others_bad[0].target} {others_bad[0].status or others_bad[0].error}"
                               if others_bad else "")))
    else:
        checks.append(Check("an instance was killed with SIGKILL and came back", False, "the kill never ran"))

    # 2. No request hung past its deadline; connection errors only while an instance was down on purpose.
    responses = load.responses
    latencies = [response.elapsed for response in responses]
    checks.append(Check(f"no request hung past its {DEADLINE_SECONDS:g} s deadline", not load.hung,
                        f"{len(responses)} requests; p50 {harness.percentile(latencies, 0.5) * 1000:.0f} ms, "
                        f"p99 {harness.percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies, default=0) * 1000:.0f} ms; "
                        f"{len(load.hung)} past the deadline"))

    def planned_down(response) -> bool:
        # Overlap, not start: a request in flight when an instance was killed loses its connection.
        return any(response.started <= finish and response.ended >= begin for begin, finish in down_windows[response.instance])

    unanswered = [response for response in responses if response.status is None and not planned_down(response)]
    refused = sum(1 for response in responses if response.status is None and planned_down(response))
    checks.append(Check("every request got an HTTP answer (except to an instance down on purpose)", not unanswered,
                        f"{len(unanswered)} without an answer; {refused} refused by an instance down on purpose"
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
    # the quiet phase after it. An instance down on purpose in that span (a restart starts with a
    # fresh breaker) is left out of that phase.
    samples = poller.samples

    def states(instance: str, begin: float, finish: float) -> list[str]:
        return [breakers.get("openbb", "?") for at, name, breakers, _ in samples
                if name == instance and begin <= at - origin <= finish and breakers]

    # A breaker only moves on calls, and with three instances sharing the work and the budget
    # admitting few at times, an instance may make only a handful in a 10 s phase. So:
    # - to open: its rule is 50 % failures over a window of the last 10 calls, at least 5. It
    #   must have opened whenever the polls show 5 or more failures recorded between two polls
    #   i < j while at most 10 calls started between 1.1 s before i (the provider timeout: a
    #   call that ended after i started after that) and j: the calls that ended in between are
    #   then at most 10, at least 5 of them failed, so the window held >= 50 % when the last
    #   ended. An instance whose calls never met that (few calls, the budget, or a fault rate
    #   that came out under 50 % for it) is counted apart, as "never due".
    # - to close: a quiet phase after a fault must see it closed, except where the budget (the
    #   fleet's minute log full, or the instance counting alone at its share) let it make fewer
    #   than the 3 probes a half-open breaker needs in its last half-open stretch: counted apart.
    def trip_due(name: str, begin: float, finish: float) -> bool:
        """Whether the polls prove 5+ failures among at most 10 consecutive calls in [begin, finish]."""
        failed = [(at, value) for at, _, value in error_series[name] if begin <= at <= finish]
        for i, (start_at, start_failed) in enumerate(failed):
            for end_at, end_failed in failed[i + 1:]:
                if end_failed - start_failed >= 5 and calls(name, start_at - 1.1, end_at) <= 10:
                    return True
        return False

    def half_open_since(name: str, begin: float, finish: float) -> float:
        """When the instance's breaker last went half-open, as polled, before `finish`."""
        since = begin
        for at, instance, breakers, _ in samples:
            if instance == name and breakers and begin <= at - origin <= finish:
                if breakers.get("openbb") != "half-open":
                    since = at - origin
        return since

    opened_total = opened_ok = closed_total = closed_ok = opened_held = closed_held = 0
    misses = []
    for position, phase in enumerate(phases):
        if phase.end > run_end:
            break
        for name in instances:
            if down_during(name, phase.start, phase.end + 2):
                continue
            seen = states(name, phase.start, phase.end + 2)
            made = calls(name, phase.start, phase.end + 2)
            if phase.kind in ("errors", "resets"):
                if any(state in ("open", "half-open") for state in seen):
                    opened_total += 1
                    opened_ok += 1
                elif not trip_due(name, phase.start, phase.end + 2):
                    opened_held += 1
                else:
                    opened_total += 1
                    misses.append(f"{name} stayed {sorted(set(seen))} in phase {phase.index} ({phase.kind}; "
                                  f"{made:.0f} calls, {failures(name, phase.start, phase.end + 2):.0f} failed)")
            if phase.kind == "quiet" and position > 0 and phases[position - 1].kind != "quiet":
                if "closed" in seen:
                    closed_total += 1
                    closed_ok += 1
                elif seen and seen[-1] == "half-open" and \
                        calls(name, half_open_since(name, phase.start, phase.end + 2), phase.end + 2) < 3 and \
                        budget_limited(name, half_open_since(name, phase.start, phase.end + 2), phase.end + 2):
                    closed_held += 1
                else:
                    closed_total += 1
                    misses.append(f"{name} never closed in quiet phase {phase.index} (saw {sorted(set(seen))}; "
                                  f"{made:.0f} calls)")
    checks.append(Check("breakers opened during every errors/resets phase", opened_total > 0 and opened_ok == opened_total,
                        f"{opened_ok}/{opened_total} phase x instance, {opened_held} more never due (never 5 failures "
                        f"among 10 calls)" + ("; " + "; ".join(m for m in misses if "stayed" in m)
                                                 if opened_ok != opened_total else "")))
    checks.append(Check("breakers closed again in every quiet phase after a fault", closed_total > 0 and closed_ok == closed_total,
                        f"{closed_ok}/{closed_total} phase x instance, {closed_held} more held half-open below 3 probes "
                        f"by the budget" + ("; " + "; ".join(m for m in misses if "closed" in m)
                                                 if closed_ok != closed_total else "")))

    # 4. Stale data is always marked.
    quotes = [(response, quote) for response in responses for quote in response.quotes]
    old = [(response, quote) for response, quote in quotes if quote.age_seconds > TTL_SECONDS]
    unmarked = [(response, quote) for response, quote in old if not quote.stale]
    checks.append(Check(f"every quote older than its TTL ({TTL_SECONDS:g} s by age_seconds) has stale: true", not unmarked,
                        f"{len(quotes)} quotes served, {len(old)} past the TTL, {len(unmarked)} of them unmarked"
                        + (f"; e.g. {unmarked[0][1]}" if unmarked else "")))
    # Measured from when the request was sent: a batch reads (and marks) each quote as it
    # starts, and may then be held by a slow symbol for up to the provider timeout.
    by_as_of = [(response, quote) for response, quote in quotes
                if quote.as_of is not None
                and response.wall_ended - response.elapsed - quote.as_of > TTL_SECONDS + AS_OF_SLACK_SECONDS]
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
    # a second after) and up again within 20 s of each restart, on every instance (one down on
    # purpose during the outage is left out of it).
    down_total = down_ok = up_total = up_ok = 0
    tier_misses = []
    for stop_at, start_at in redis_outages:
        for name in instances:
            if down_during(name, stop_at, start_at + 1):
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

    # 10. The upstream's rate limit, counted for the whole fleet (README, "Provider budgets are
    # cluster-wide with Redis"). The bound asserted for every window W of at most 59 s:
    #
    #   calls(W) <= L * (1 + empty Redis restarts in W) + sum over instances i counting locally
    #               in W of (floor(L / n_i) + b_i * processes of i in W)
    #
    # L is requests_per_minute. Redis admits at most L calls in any rolling 60 s of its sorted
    # set, but a stopped redis-server comes back empty (no persistence): the minute log starts
    # again, so a window spanning a restart may hold L from the old log and L from the new. While
    # an instance cannot reach Redis (an outage, its reconnect, a timeout) it counts alone at its
    # share, floor(L / n_i) a minute as a token bucket with burst b_i = max(1, floor(share / 60))
    # (LocalBudgetShare; n_i is the last-known number of live instances, read off
    # /v1/providers' budget while it counted locally, 3 if never seen there), which holds at most
    # one share plus one burst in any 60 s; a process restarted in W starts with a full bucket
    # again, hence a burst per process. Those calls never reach Redis: they come on top.
    # An instance counts locally in W when W meets a Redis outage or a poll of its /v1/providers
    # that showed `local_share` (for the time since its previous poll), other than "redis not
    # asked yet" (a starting instance's budget asks Redis first and counts locally only when
    # Redis fails, which then says so). Calls are counted from each instance's
    # lianyaohu_upstream_requests_total, polled every 0.5 s and summed; a window is taken between
    # polls, so it never covers more than 59 s (see BUDGET_WINDOW_SECONDS).

    def share(divisor: int) -> int:
        return max(1, limit // max(1, divisor))


    def bound(begin: float, finish: float) -> tuple[int, str]:
        logs = 1 + sum(1 for at in redis_restarts if begin <= at <= finish)
        total = limit * logs
        parts = [f"{limit} x {logs} minute log{'s' if logs > 1 else ''}"]
        for name in instances:
            if not any(a <= finish and b >= begin for a, b in local_spans[name]):
                continue
            seen = [count for at, count in divisors[name] if begin - 5 <= at <= finish + 5] or \
                   [count for _, count in divisors[name]] or [len(instances)]
            divisor = min(seen)
            processes_in = max(1, len({generation for at, generation, _ in series[name] if begin <= at <= finish}))
            allowance = share(divisor) + max(1, share(divisor) // 60) * processes_in
            total += allowance
            parts.append(f"{name} {allowance} (1/{divisor})")
        return total, " + ".join(parts)

    ends = sorted({round(at, 1) for points in series.values() for at, _, _ in points})
    windows = over = 0
    worst: tuple[float, float, float, int, str] | None = None  # (ratio, end, count, bound, why)
    busiest: tuple[float, int, float] = (0.0, 0, 0.0)  # (count, bound, end)
    violations = []
    for finish in ends:
        begin = finish - BUDGET_WINDOW_SECONDS
        if begin < 0:
            continue
        windows += 1
        count = sum(calls(name, begin, finish) for name in instances)
        allowed, why = bound(begin, finish)
        if count > busiest[0]:
            busiest = (count, allowed, finish)
        if worst is None or count / allowed > worst[0]:
            worst = (count / allowed, finish, count, allowed, why)
        if count > allowed:
            over += 1
            violations.append(f"{count:.0f} calls in {begin:.0f}-{finish:.0f}s, bound {allowed} ({why})")
    totals = {name: (points[-1][2] if points else 0.0) for name, points in series.items()}
    counted_phases = [phase for phase in phases if phase.requests is not None]
    simulate_total = sum(phase.requests for phase in counted_phases)
    # The same calls as the upstream saw them: its count over its finished phases against the
    # instances' counters at the end of the last one (a kill -9 loses the victim's calls since
    # its last poll; the counters start when the instances do, after phase 0 began).
    counted_end = counted_phases[-1].end if counted_phases else 0.0

    def total_by(finish: float) -> float:
        return sum(next((cumulative for at, _, cumulative in reversed(points) if at <= finish), 0.0)
                   for points in series.values())

    instance_total = total_by(counted_end + 0.5)
    agreement = abs(instance_total - simulate_total) <= max(5, 0.02 * simulate_total)
    six = [(sum(phase.requests for phase in counted_phases[k:k + 6]), counted_phases[k].start)
           for k in range(len(counted_phases) - 5)]
    six_max = max(six, default=(0, 0.0))
    checks.append(Check(f"the upstream never got more calls in a rolling minute than the fleet budget allows "
                        f"(requests_per_minute {limit}, plus the local shares while Redis could not count)",
                        windows > 0 and not violations,
                        f"{windows} windows of {BUDGET_WINDOW_SECONDS:g} s; busiest: {busiest[0]:.0f} calls (bound "
                        f"{busiest[1]}, ending {busiest[2]:.0f}s); closest to its bound: "
                        + (f"{worst[2]:.0f} of {worst[3]} = {worst[4]} (ending {worst[1]:.0f}s); " if worst else "none; ")
                        + f"{over} over" + ("; " + "; ".join(violations[:3]) if violations else "")))
    checks.append(Check("the instances' counted upstream calls match what the upstream itself counted (within 2 %)",
                        simulate_total > 0 and agreement,
                        f"upstream: {simulate_total} requests in phases 0-{counted_phases[-1].index if counted_phases else 0}; "
                        f"instances: {instance_total:.0f} calls by {counted_end:.0f}s"))

    # 11. Answers held back by rate limits (the fleet budget, an instance's limiter, the
    # upstream's own 429s): a stale value (200, stale: true), or 429 `rate_limited` with
    # Retry-After (no daily quota is configured, so there is always a wait to give), never a 5xx.
    def only_rate_limits(message: str | None) -> bool:
        if not message or ": " not in message:
            return False
        reasons = message.split(": ", 1)[1].split("; ")
        return all("rate limited" in reason or "rate_limited" in reason for reason in reasons)

    limited = [response for response in responses if response.status == 429]
    bad_429 = [response for response in limited if response.error_class != "rate_limited"
               or not (response.retry_after or "").isdigit() or int(response.retry_after or 0) < 1]
    five_for_limits = [response for response in responses if response.status is not None and response.status >= 500
                       and (response.error_class == "rate_limited" or only_rate_limits(response.error_message))]
    batch_limited = [(response, item) for response in responses for item in response.batch_errors
                     if item[1] == "rate_limited" or only_rate_limits(item[2])]
    batch_bad = [(response, item) for response, item in batch_limited if item[1] != "rate_limited"]
    stale_served = sum(1 for response in responses for quote in response.quotes if quote.stale)
    example = ""
    if bad_429:
        example = f"; e.g. 429 class {bad_429[0].error_class} Retry-After {bad_429[0].retry_after!r}"
    elif five_for_limits:
        example = f"; e.g. {five_for_limits[0].status} {five_for_limits[0].error_class}: {five_for_limits[0].error_message}"
    elif batch_bad:
        example = f"; e.g. batch error {batch_bad[0][1]}"
    checks.append(Check("answers held back by rate limits are stale 200s or 429 rate_limited with Retry-After, never 5xx",
                        not bad_429 and not five_for_limits and not batch_bad,
                        f"{len(limited)} answers 429 ({len(limited) - len(bad_429)} rate_limited with Retry-After), "
                        f"{len(batch_limited)} batch symbols rate_limited, {stale_served} stale quotes served; "
                        f"{len(five_for_limits)} 5xx for a rate limit" + example))
    # The budget must actually bite: rate-limited answers outside the upstream's 429 phases (and
    # the Retry-After after them) came from the budget, and a rolling minute reached the limit.
    upstream_limits = [(phase.start, phase.end + phase.retry_after + 1) for phase in phases if phase.kind == "rate-limit"]

    def outside_upstream_limits(response) -> bool:
        at = response.started - origin
        return not any(begin <= at <= finish for begin, finish in upstream_limits)

    budget_refused = sum(1 for response in limited if outside_upstream_limits(response)) + \
        sum(1 for response, _ in batch_limited if outside_upstream_limits(response))
    full_seconds = 0.5 * sum(1 for _, count in budget_log if count >= limit)
    waits = [int(match.group(1)) for response in limited for match in [re.search(r"rate limited for (\d+) s", response.error_message or "")]
             if match and outside_upstream_limits(response)]
    checks.append(Check("the fleet budget refused calls: its minute log in Redis reached the limit, and agents got "
                        "rate_limited answers outside the upstream's 429 phases",
                        full_seconds > 0 and budget_refused > 0,
                        f"minute log at {limit} for about {full_seconds:.0f} s (most {max((c for _, c in budget_log), default=0)}, "
                        f"{len(budget_log)} reads); {budget_refused} rate_limited answers (429 or batch symbol) outside "
                        f"the upstream's 429 phases, the longest wait {max(waits, default=0)} s"))
    budget_summary = [
        f"requests_per_minute {limit}, burst {RATE_LIMIT_BURST} (each instance's own bucket); local share while Redis "
        f"cannot count: {share(len(instances))} a minute, burst {max(1, share(len(instances)) // 60)}.",
        "Calls counted by the instances (lianyaohu_upstream_requests_total, summed over restarts): "
        + ", ".join(f"{name} {total:.0f}" for name, total in totals.items()) + f", together {sum(totals.values()):.0f}; "
        f"the upstream counted {simulate_total} in its {len(counted_phases)} finished phases "
        f"(busiest 60 s of 6 phases: {six_max[0]} from {six_max[1]:.0f}s, for which the bound is "
        f"{bound(six_max[1], six_max[1] + 60)[0]}).",
        f"Local-counting spans seen on /v1/providers: " + ", ".join(
            f"{name} {sum(1 for _, n, _, sc, _, r in poller.budgets if n == name and sc == 'local_share' and r != 'redis not asked yet')} polls"
            f" (divisors {sorted(set(c for _, c in divisors[name]))})" for name in instances) + ".",
    ]

    # 12. No secret anywhere.
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
    return checks, budget_summary


def describe(pair) -> str:
    response, quote = pair
    return (f"{response.instance} {quote.symbol} as_of {response.wall_ended - response.elapsed - quote.as_of:.1f} s old "
            f"when asked ({response.wall_ended - quote.as_of:.1f} s when answered), "
            f"age_seconds {quote.age_seconds:.1f}, origin {quote.origin}")


def render_report(seed, minutes, phase_seconds, started_wall, load_before, load_after, phases, events, checks, load,
                  poller, origin, instances, redis, budget_summary) -> str:
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
    lines += ["", "## Upstream budget", ""] + [f"- {line}" for line in budget_summary]
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
