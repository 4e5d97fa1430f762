"""Shared by scripts/chaos and scripts/soak: start the real binaries on loopback, drive an
agent load at them, watch them, and stop everything they started.

Standard library only. Every process started here is registered with a `Processes` and ended
by it (SIGTERM, then SIGKILL after a grace period) when the run ends, however it ends.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


def now() -> float:
    """Monotonic seconds, the one clock every record of a run uses."""
    return time.monotonic()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse_time(text: str) -> float | None:
    """An API time (ISO 8601 UTC) as POSIX seconds."""
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


class Interrupted(Exception):
    """SIGTERM, SIGINT or SIGHUP arrived: the run ends and cleans up."""


def install_signal_handlers() -> None:
    def raise_interrupted(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, raise_interrupted)


# ---------------------------------------------------------------------------------------------
# Processes


@dataclass
class Managed:
    name: str
    process: subprocess.Popen
    log: Path
    expected_up: bool = True
    exit_status: int | None = None
    unexpected_exit: str | None = None


class Processes:
    """Every process a run starts, watched once a second (`poll`, `kill -0`) and stopped at the end."""

    def __init__(self) -> None:
        self.managed: dict[str, Managed] = {}
        self.lock = threading.Lock()
        self.deaths: list[tuple[float, str, int]] = []
        self.checks = 0
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None,
              stdout_to_log: bool = True) -> Managed:
        handle = open(log, "ab")
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=handle if stdout_to_log else subprocess.DEVNULL,
            stderr=handle, env=env, start_new_session=True)
        handle.close()
        managed = Managed(name, process, log)
        with self.lock:
            self.managed[name] = managed
        return managed

    def watch(self, interval: float = 1.0) -> None:
        def loop():
            while not self._stop.wait(interval):
                with self.lock:
                    entries = list(self.managed.values())
                for entry in entries:
                    if not entry.expected_up:
                        continue
                    self.checks += 1
                    alive = entry.process.poll() is None
                    if alive:
                        try:
                            os.kill(entry.process.pid, 0)
                        except ProcessLookupError:
                            alive = False
                    if not alive:
                        status = entry.process.returncode
                        entry.expected_up = False
                        entry.exit_status = status
                        entry.unexpected_exit = describe_status(status)
                        self.deaths.append((now(), entry.name, status if status is not None else -1))

        self._watcher = threading.Thread(target=loop, name="process-watch", daemon=True)
        self._watcher.start()

    def stop(self, name: str, grace: float = 15.0) -> int | None:
        """SIGTERM, wait up to `grace` seconds, then SIGKILL; returns the exit status (124 if killed)."""
        with self.lock:
            entry = self.managed.get(name)
        if entry is None:
            return None
        entry.expected_up = False
        if entry.process.poll() is None:
            entry.process.send_signal(signal.SIGCONT)  # a frozen process cannot act on SIGTERM
            entry.process.send_signal(signal.SIGTERM)
            try:
                entry.process.wait(grace)
            except subprocess.TimeoutExpired:
                entry.process.kill()
                entry.process.wait()
                entry.exit_status = 124
                return 124
        if entry.exit_status is None:
            entry.exit_status = entry.process.returncode
        return entry.exit_status

    def stop_all(self) -> None:
        self._stop.set()
        with self.lock:
            names = list(self.managed)
        for name in reversed(names):
            try:
                self.stop(name, grace=10)
            except Exception:  # noqa: BLE001 - cleanup must go on
                pass


def describe_status(status: int | None) -> str:
    if status is None:
        return "unknown"
    if status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"exit status {status}"


def wait_for_line(path: Path, pattern: str, timeout: float, process: subprocess.Popen | None = None) -> re.Match | None:
    deadline = now() + timeout
    compiled = re.compile(pattern)
    while now() < deadline:
        try:
            match = compiled.search(path.read_text(errors="replace"))
        except FileNotFoundError:
            match = None
        if match:
            return match
        if process is not None and process.poll() is not None:
            return None
        time.sleep(0.1)
    return None


# ---------------------------------------------------------------------------------------------
# Redis


class Redis:
    """A redis-server on a loopback port with a password, no persistence, stoppable and restartable."""

    def __init__(self, processes: Processes, work: Path, password: str) -> None:
        self.processes = processes
        self.work = work
        self.password = password
        self.port = free_port()
        self.starts = 0
        self.exit_statuses: list[int | None] = []

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.starts += 1
        self.processes.start(
            "redis", ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "no", "--requirepass", self.password, "--daemonize", "no",
                      "--logfile", ""], self.work / "redis.log")
        deadline = now() + 10
        while now() < deadline:
            if self.ping():
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not answer PING within 10 s")

    def stop(self) -> None:
        self.thaw()
        self.exit_statuses.append(self.processes.stop("redis", grace=10))

    def freeze(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, as a hung server does."""
        entry = self.processes.managed.get("redis")
        if entry and entry.process.poll() is None:
            entry.process.send_signal(signal.SIGSTOP)
            self.frozen = True

    def thaw(self) -> None:
        entry = self.processes.managed.get("redis")
        if getattr(self, "frozen", False) and entry and entry.process.poll() is None:
            entry.process.send_signal(signal.SIGCONT)
        self.frozen = False

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(f"AUTH {self.password}\r\nPING\r\n".encode())
                reply = b""
                while b"PONG" not in reply and len(reply) < 200:
                    chunk = connection.recv(200)
                    if not chunk:
                        break
                    reply += chunk
                return b"PONG" in reply
        except OSError:
            return False


# ---------------------------------------------------------------------------------------------
# The binaries


def start_simulate(processes: Processes, binary: str, work: Path, extra: list[str]) -> str:
    log = work / "simulate.log"
    managed = processes.start("simulate", [binary, "simulate", "--port", "0", *extra], log)
    match = wait_for_line(log, r"listening on (http://127\.0\.0\.1:\d+)", 30, managed.process)
    if not match:
        raise RuntimeError(f"simulate did not start:\n{log.read_text(errors='replace')}")
    return match.group(1)


@dataclass
class Instance:
    """One `lianyaohu serve`, on a fixed port so a restart keeps its address."""

    name: str
    binary: str
    work: Path
    config: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    starts: int = 0
    exit_statuses: list[int | None] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def process_name(self) -> str:
        return f"serve-{self.name}"

    def start(self, processes: Processes) -> Managed:
        self.starts += 1
        (self.work / "data").mkdir(parents=True, exist_ok=True)
        log = self.work / f"serve-{self.starts}.log"
        # The run's settings only: none of the caller's LIANYAOHU_* variables leak in.
        environment = {key: value for key, value in os.environ.items() if not key.startswith("LIANYAOHU_")}
        environment.update(self.env)
        environment["XDG_DATA_HOME"] = str(self.work / "data")
        environment["XDG_STATE_HOME"] = str(self.work / "state")
        environment["XDG_CONFIG_HOME"] = str(self.work / "config")
        managed = processes.start(
            self.process_name, [self.binary, "serve", "--port", str(self.port), "--config", str(self.config)], log,
            env=environment)
        if not wait_for_line(log, r"listening on http://", 60, managed.process):
            raise RuntimeError(f"serve {self.name} did not start:\n{log.read_text(errors='replace')[-3000:]}")
        return managed

    def stop(self, processes: Processes) -> int | None:
        status = processes.stop(self.process_name, grace=20)
        self.exit_statuses.append(status)
        return status

    def logs(self) -> list[Path]:
        return sorted(self.work.glob("serve-*.log"))


def http_get(url: str, path: str, timeout: float = 5.0, method: str = "GET",
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    status, body, _ = http_request(url, path, timeout, method, headers)
    return status, body


def http_request(url: str, path: str, timeout: float = 5.0, method: str = "GET",
                 headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """As `http_get`, with the answer's headers (names lower-cased)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def get_json(url: str, path: str, timeout: float = 5.0):
    try:
        status, body = http_get(url, path, timeout)
        return json.loads(body) if status < 500 or body.startswith(b"{") else None
    except (OSError, ValueError, http.client.HTTPException):
        return None


# ---------------------------------------------------------------------------------------------
# The agent load


@dataclass
class QuoteSeen:
    symbol: str
    as_of: float | None
    age_seconds: float
    stale: bool
    origin: str
    source: str


@dataclass
class Response:
    instance: str
    kind: str  # "quote" or "batch"
    target: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer
    error: str | None
    timed_out: bool
    quotes: list[QuoteSeen]
    wall_ended: float
    asked: list[str] = field(default_factory=list)
    error_symbols: list[str] = field(default_factory=list)
    # An error answer's class and message, its Retry-After header, and a batch's per-symbol
    # errors as (symbol, class, message).
    error_class: str | None = None
    error_message: str | None = None
    retry_after: str | None = None
    batch_errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def elapsed(self) -> float:
        return self.ended - self.started


class AgentLoad:
    """Agents asking for quotes and batches at random, each request with a deadline; every
    answer is recorded (in memory as parsed quotes, on disk as one JSON line with its body)."""

    def __init__(self, targets: dict[str, Callable[[], str]], symbols: list[str], seed: int, deadline: float,
                 agents_per_target: int, pause: tuple[float, float], record: Path | None,
                 keep: bool = True) -> None:
        self.targets = targets
        self.symbols = symbols
        self.seed = seed
        self.deadline = deadline
        self.agents_per_target = agents_per_target
        self.pause = pause
        self.record_path = record
        self.keep = keep
        self.responses: list[Response] = []
        self.counts: dict[str, int] = {}
        self.latencies: list[float] = []
        self.hung: list[Response] = []
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._record = open(record, "w") if record else None
        self.raw_bytes_scanned: list[bytes] = []

    def start(self) -> None:
        index = 0
        for name in self.targets:
            for agent in range(self.agents_per_target):
                thread = threading.Thread(
                    target=self._run, args=(name, random.Random(self.seed * 1000 + index)),
                    name=f"agent-{name}-{agent}", daemon=True)
                index += 1
                self._threads.append(thread)
                thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.deadline + 5)
        if self._record:
            self._record.close()
            self._record = None

    def _run(self, name: str, rng: random.Random) -> None:
        while not self._stop.is_set():
            if rng.random() < 0.6:
                symbol = rng.choice(self.symbols)
                self.request(name, "quote", "/v1/quotes/" + symbol.replace("^", "%5E"), [symbol])
            else:
                chosen = rng.sample(self.symbols, rng.randint(2, 6))
                self.request(name, "batch", "/v1/quotes?symbols=" + ",".join(chosen).replace("^", "%5E"), chosen)
            self._stop.wait(rng.uniform(*self.pause))

    def request(self, name: str, kind: str, target: str, asked: list[str] | None = None) -> Response:
        url = self.targets[name]()
        started = now()
        status = None
        error = None
        timed_out = False
        body = b""
        headers: dict[str, str] = {}
        try:
            status, body, headers = http_request(url, target, timeout=self.deadline)
        except socket.timeout:
            timed_out = True
            error = "timeout"
        except (OSError, http.client.HTTPException) as failure:
            error = type(failure).__name__
        ended = now()
        quotes: list[QuoteSeen] = []
        error_symbols: list[str] = []
        if status == 200:
            try:
                document = json.loads(body)
                items = document.get("quotes", []) if kind == "batch" else [document]
                for item in items:
                    quotes.append(QuoteSeen(
                        item["symbol"], parse_time(item.get("as_of", "")), float(item.get("age_seconds", 0)),
                        bool(item.get("stale")), str(item.get("origin")), str(item.get("source"))))
                if kind == "batch":
                    error_symbols = [str(item.get("symbol")) for item in document.get("errors", [])]
            except (ValueError, KeyError, TypeError, AttributeError):
                error = "unparsable 200"
        error_class = error_message = None
        batch_errors: list[tuple[str, str, str]] = []
        if status == 200 and kind == "batch" and error is None:
            try:
                for item in json.loads(body).get("errors", []):
                    detail = item.get("error") or {}
                    batch_errors.append((str(item.get("symbol")), str(detail.get("class")), str(detail.get("message"))))
            except (ValueError, TypeError, AttributeError):
                pass
        elif status is not None and status >= 400:
            try:
                detail = json.loads(body).get("error") or {}
                error_class, error_message = str(detail.get("class")), str(detail.get("message"))
            except (ValueError, TypeError, AttributeError):
                error_class = "unparsable"
        response = Response(name, kind, target, started, ended, status, error, timed_out, quotes, time.time(),
                            asked or [], error_symbols, error_class, error_message, headers.get("retry-after"),
                            batch_errors)
        key = f"{name} {status if status is not None else error}"
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            self.latencies.append(response.elapsed)
            if timed_out or response.elapsed > self.deadline:
                self.hung.append(response)
            if self.keep:
                self.responses.append(response)
            if self._record:
                self._record.write(json.dumps({
                    "instance": name, "kind": kind, "target": target, "started": round(started, 4),
                    "elapsed": round(response.elapsed, 4), "status": status, "error": error,
                    "body": body.decode("utf-8", "replace")}) + "\n")
        return response

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# ---------------------------------------------------------------------------------------------
# Watching the API


class Periodic:
    """Calls `tick` every `interval` seconds on a thread of its own, from `start` until `stop`;
    `finish` runs once the thread has ended."""

    def __init__(self, name: str, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.finish()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def tick(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


class Poller(Periodic):
    """Polls each instance's /v1/providers and /readyz: breaker states and tier health over time."""

    def __init__(self, instances: list[Instance], interval: float = 0.5, keep_bodies: Path | None = None) -> None:
        super().__init__("poller", interval)
        self.instances = instances
        self.samples: list[tuple[float, str, dict[str, str], dict[str, bool]]] = []
        # Each provider's cluster budget as /v1/providers showed it: (time, instance, provider,
        # scope, instances, reason), for providers that have one.
        self.budgets: list[tuple[float, str, str, str, int, str | None]] = []
        self.keep_bodies = keep_bodies
        self._bodies = open(keep_bodies, "w") if keep_bodies else None

    def finish(self) -> None:
        if self._bodies:
            self._bodies.close()

    def tick(self) -> None:
        for instance in self.instances:
            breakers: dict[str, str] = {}
            tiers: dict[str, bool] = {}
            for path in ("/v1/providers", "/readyz"):
                try:
                    status, body = http_get(instance.url, path, timeout=3)
                except (OSError, http.client.HTTPException):
                    continue
                if self._bodies:
                    self._bodies.write(body.decode("utf-8", "replace") + "\n")
                try:
                    document = json.loads(body)
                except ValueError:
                    continue
                if path == "/v1/providers":
                    for provider in document.get("providers", []):
                        breakers[provider.get("id", "?")] = provider.get("breaker", {}).get("state", "?")
                        budget = provider.get("budget")
                        if isinstance(budget, dict):
                            self.budgets.append((now(), instance.name, provider.get("id", "?"), str(budget.get("scope")),
                                                 int(budget.get("instances") or 1), budget.get("reason")))
                else:
                    for tier in document.get("tiers", []) or []:
                        tiers[tier.get("tier", "?")] = bool(tier.get("up"))
            self.samples.append((now(), instance.name, breakers, tiers))


# ---------------------------------------------------------------------------------------------
# /proc


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0
