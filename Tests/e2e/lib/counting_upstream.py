"""A loopback OpenBB Platform that counts its calls, for Tests/e2e/cluster_fleet.sh.

Answers `GET /api/v1/equity/price/quote?symbol=A[,B…]&provider=fmp` (the OpenBB adapter's
request, batched) for ANY symbol with the envelope of the recorded fixture
Tests/MarketProvidersTests/Fixtures/openbb/quote_AAPL_fmp.json, one row per symbol asked: the
symbol replaced, `last_price` derived from the symbol (so every instance that serves a symbol
must show the same price), `last_timestamp` now. Anything else is a 404 "no such route".

What the fleet test needs to see from the outside:
- Every call is appended to LOG-FILE as one line, "EPOCH-SECONDS STATUS SYMBOL[,SYMBOL…]",
  written when it arrives (before any answer leaves, so a caller that has its answer finds
  the line).
- At most LIMIT calls are answered in any rolling 60 s (LIMIT 0: no limit); a call over it is
  answered as openbb-api relays FMP's 429 (a 502 whose `detail` quotes "Status code: 429",
  the fixture openbb/error_502_fmp_rate_limit_relayed.json, as docs/PROVIDERS.md reads it).
  Refused calls are logged too (they are still calls), but do not use up the window.
- A call that asks for a symbol starting with SLOW is answered after SLOW-SECONDS (default
  3), so a test can kill the instance that is waiting for it.

Standard library only. Usage:
    python3 counting_upstream.py FIXTURES-DIR PORT-FILE LOG-FILE [LIMIT [SLOW-SECONDS]]
Binds 127.0.0.1 on a port the kernel picks and writes it to PORT-FILE once it listens.
"""

import collections
import copy
import datetime
import http.server
import json
import os
import sys
import threading
import time
import zlib
from urllib.parse import parse_qs, urlsplit

FIXTURES = sys.argv[1]
PORT_FILE = sys.argv[2]
LOG_FILE = sys.argv[3]
LIMIT = int(sys.argv[4]) if len(sys.argv) > 4 else 0
SLOW_SECONDS = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
WINDOW = 60.0

with open(os.path.join(FIXTURES, "openbb/quote_AAPL_fmp.json"), "rb") as file:
    TEMPLATE = json.load(file)
with open(os.path.join(FIXTURES, "openbb/error_502_fmp_rate_limit_relayed.json"), "rb") as file:
    RATE_LIMITED = file.read()

lock = threading.Lock()
admitted = collections.deque()  # monotonic times of the calls answered within the window


def admit():
    """True when this call fits in the rolling window (and then counts it)."""
    if LIMIT <= 0:
        return True
    now = time.monotonic()
    with lock:
        while admitted and now - admitted[0] >= WINDOW:
            admitted.popleft()
        if len(admitted) >= LIMIT:
            return False
        admitted.append(now)
        return True


def price(symbol):
    """A price that depends only on the symbol: 10.00 to 999.99."""
    return round(10 + (zlib.crc32(symbol.encode()) % 99000) / 100, 2)


def quote_body(symbols):
    body = copy.deepcopy(TEMPLATE)
    row_template = body["results"][0]
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    rows = []
    for symbol in symbols:
        row = dict(row_template)
        last = price(symbol)
        # The fixture's other prices kept in proportion, so the quote stays self-consistent.
        scale = last / row_template["last_price"]
        for key in ("open", "high", "low", "prev_close", "year_high", "year_low", "ma50", "ma200"):
            row[key] = round(row_template[key] * scale, 2)
        row.update(symbol=symbol, name=f"{symbol} Test Inc.", last_price=last, last_timestamp=now.isoformat())
        row["change"] = round(last - row["prev_close"], 2)
        row["change_percent"] = round(row["change"] / row["prev_close"], 7)
        rows.append(row)
    body["results"] = rows
    body["extra"]["metadata"]["arguments"]["standard_params"]["symbol"] = ",".join(symbols)
    return json.dumps(body).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        symbols = [s for s in (query.get("symbol", [""])[0]).split(",") if s]
        if parts.path != "/api/v1/equity/price/quote" or query.get("provider") != ["fmp"] or not symbols:
            self.send(404, f"no such route: {self.path}".encode(), "text/plain")
            return
        if not admit():
            self.log(502, symbols)
            self.send(502, RATE_LIMITED, "application/json")
            return
        # Logged on arrival: the window check reads call times, and a slow call whose
        # caller is killed while it waits is still a call.
        self.log(200, symbols)
        if any(s.upper().startswith("SLOW") for s in symbols):
            time.sleep(SLOW_SECONDS)
        self.send(200, quote_body(symbols), "application/json")

    def log(self, status, symbols):
        with lock, open(LOG_FILE, "a", encoding="utf-8") as log:
            log.write(f"{time.time():.3f} {status} {','.join(symbols)}\n")

    def send(self, status, payload, content_type):
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the instance that asked was killed while it waited

    def log_message(self, *_):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # three instances' connection pools at once (listen backlog)


def main():
    server = Server(("127.0.0.1", 0), Handler)
    with open(PORT_FILE + ".tmp", "w", encoding="utf-8") as file:
        file.write(str(server.server_address[1]))
    os.replace(PORT_FILE + ".tmp", PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()
