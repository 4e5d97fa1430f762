#!/usr/bin/env python3
"""A small client for the Lianyaohu control API, for debate agents. Standard library only.

    from lianyaohu_client import LianyaohuClient
    client = LianyaohuClient()                      # http://127.0.0.1:8686, token from LIANYAOHU_API_TOKEN
    quote = client.quote("AAPL")
    print(quote["price"], quote["source"], quote["stale"], quote["simulated"])
    quotes, errors = client.quotes(["AAPL", "BTC-USD", "NOPE"])
    for event, data in client.stream(symbols=["AAPL"], max_events=5):
        print(event, data)

Every quote says where it came from (`source`), when it was true (`as_of`), how old it is
(`age_seconds`) and whether it is `stale` or `simulated`: an agent should not argue from a
stale or simulated price as if it were live. Errors raise LianyaohuError with the API's
stable `error_class` (see openapi.yaml).

Command line:  python3 lianyaohu_client.py [--url URL] quote AAPL MSFT | immortals | providers | watch [SYMBOL...]
"""

import argparse
import gzip
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8686"


class LianyaohuError(Exception):
    """An error answer from the API (or no answer at all: status 0)."""

    def __init__(self, status, error_class, message):
        super().__init__(f"{status} {error_class}: {message}")
        self.status = status
        self.error_class = error_class
        self.message = message


class LianyaohuClient:
    def __init__(self, base_url=None, token=None, timeout=10.0):
        self.base_url = (base_url or os.environ.get("LIANYAOHU_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("LIANYAOHU_API_TOKEN")
        self.timeout = timeout

    # Quotes

    def quote(self, symbol):
        """The current quote for one symbol."""
        return self._request("GET", "/v1/quotes/" + _segment(symbol))

    def quotes(self, symbols):
        """Many symbols at once: ({symbol: quote}, {symbol: error}); one symbol failing does not fail the rest."""
        body = self._request("GET", "/v1/quotes?" + urllib.parse.urlencode({"symbols": ",".join(symbols)}, safe=",^=", quote_via=urllib.parse.quote))
        quotes = {quote["symbol"]: quote for quote in body["quotes"]}
        errors = {entry["symbol"]: entry["error"] for entry in body["errors"]}
        return quotes, errors

    # History and profiles

    def history(self, symbol, interval="1d", range=None, start=None, end=None):
        """A series as one document: {"symbol", "interval", "currency", "source", "simulated",
        "bars": [{"time", "open", "high", "low", "close", "adj_close", "volume"}], "gaps", ...}.
        Give `range` ("1y", "5d", ...) or both `start` and `end` ("YYYY-MM-DD")."""
        return self._request("GET", self._history_path(symbol, interval, range, start, end))

    def history_bars(self, symbol, interval="1d", range=None, start=None, end=None, timeout=None):
        """Streams a series of any length as NDJSON: yields the header object first, then one
        bar at a time, so memory stays flat. A failure mid-stream raises LianyaohuError."""
        path = self._history_path(symbol, interval, range, start, end)
        request = urllib.request.Request(self.base_url + path, headers={"Accept": "application/x-ndjson"})
        try:
            response = urllib.request.urlopen(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as error:
            raise _error_from(error) from None
        with response:
            for raw in response:
                line = raw.strip()
                if not line:
                    continue
                item = json.loads(line)
                if "error" in item and "time" not in item:
                    raise LianyaohuError(200, item["error"]["class"], item["error"]["message"])
                yield item

    def profile(self, symbol):
        """A company's profile: name, exchange, currency, sector, industry, market_cap, ..."""
        return self._request("GET", "/v1/profiles/" + _segment(symbol))

    @staticmethod
    def _history_path(symbol, interval, range, start, end):
        query = {"interval": interval}
        if range is not None:
            query["range"] = range
        if start is not None or end is not None:
            query["from"], query["to"] = start, end
        return "/v1/history/" + _segment(symbol) + "?" + urllib.parse.urlencode(query)

    # Immortals and their watchlists

    def immortals(self):
        return self._request("GET", "/v1/immortals")["immortals"]

    def immortal(self, immortal_id):
        return self._request("GET", "/v1/immortals/" + _segment(immortal_id))

    def edit_watchlist(self, immortal_id, edits):
        """edits: [("toggle" | "add" | "remove" | "activate" | "deactivate", symbol), ...], applied all or none."""
        payload = {"edits": [{"op": op, "symbol": symbol} for op, symbol in edits]}
        return self._request("PATCH", "/v1/immortals/" + _segment(immortal_id), payload)

    def replace_watchlist(self, immortal_id, symbols):
        """symbols: [symbol, ...] or [(symbol, active), ...]"""
        entries = [{"symbol": s, "active": True} if isinstance(s, str) else {"symbol": s[0], "active": s[1]} for s in symbols]
        return self._request("PUT", "/v1/immortals/" + _segment(immortal_id), {"symbols": entries})

    # Providers (operator controls)

    def providers(self):
        return self._request("GET", "/v1/providers")["providers"]

    def trip(self, provider_id):
        return self._request("POST", f"/v1/providers/{_segment(provider_id)}/trip")

    def reset(self, provider_id):
        return self._request("POST", f"/v1/providers/{_segment(provider_id)}/reset")

    def disable(self, provider_id):
        return self._request("POST", f"/v1/providers/{_segment(provider_id)}/disable")

    def enable(self, provider_id):
        return self._request("POST", f"/v1/providers/{_segment(provider_id)}/enable")

    # Cache

    def cache(self):
        return self._request("GET", "/v1/cache")

    def invalidate(self, symbol=None, prefix=None):
        """Drops one symbol, every key with a prefix (keys look like v1:quote:AAPL), or everything."""
        if symbol is not None:
            return self._request("DELETE", "/v1/cache/" + _segment(symbol))
        query = "?" + urllib.parse.urlencode({"prefix": prefix}, safe=":") if prefix is not None else ""
        return self._request("DELETE", "/v1/cache" + query)

    # Health

    def healthy(self):
        return self._status("/healthz") == 200

    def ready(self):
        return self._status("/readyz") == 200

    # Live stream

    def stream(self, symbols=None, max_events=None, timeout=None):
        """Yields (event, data) from the Server-Sent Events stream: "snapshot" first, then "quote",
        "watchlist", "event", "providers" and "cache". Heartbeat comments are skipped."""
        query = {}
        if symbols:
            query["symbols"] = ",".join(symbols)
        if max_events is not None:
            query["max_events"] = str(max_events)
        path = "/v1/stream" + ("?" + urllib.parse.urlencode(query, safe=",^=", quote_via=urllib.parse.quote) if query else "")
        request = urllib.request.Request(self.base_url + path, headers={"Accept": "text/event-stream"})
        try:
            response = urllib.request.urlopen(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as error:
            raise _error_from(error) from None
        with response:
            event, data = None, []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if event is not None and data:
                        yield event, json.loads("\n".join(data))
                    event, data = None, []
                elif line.startswith(":"):
                    continue
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())

    # Plumbing

    def _request(self, method, path, payload=None):
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token and method != "GET":
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(_read(response))
        except urllib.error.HTTPError as error:
            raise _error_from(error) from None
        except urllib.error.URLError as error:
            raise LianyaohuError(0, "unreachable", str(error.reason)) from None

    def _status(self, path):
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:
            return 0


def _segment(text):
    return urllib.parse.quote(text, safe="=")


def _read(response):
    raw = response.read()
    return gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw


def _error_from(error):
    try:
        detail = json.loads(_read(error))["error"]
        return LianyaohuError(error.code, detail["class"], detail["message"])
    except (ValueError, KeyError, TypeError):
        return LianyaohuError(error.code, "http_error", error.reason)


def _describe(quote):
    marks = " STALE" if quote["stale"] else ""
    marks += " SIM" if quote["simulated"] else ""
    marks += " DELAYED" if quote.get("delayed") else ""
    change = quote.get("change_percent")
    change_text = f"{change:+.2f}%" if change is not None else ""
    return f"{quote['symbol']:<10} {quote['price']:>12.2f} {change_text:>8}  {quote['source']:<10} {quote['age_seconds']:5.1f}s{marks}"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Lianyaohu control API client")
    parser.add_argument("--url", default=None, help=f"API base URL (default $LIANYAOHU_URL or {DEFAULT_URL})")
    commands = parser.add_subparsers(dest="command", required=True)
    quote = commands.add_parser("quote", help="quote symbols")
    quote.add_argument("symbols", nargs="+")
    commands.add_parser("immortals", help="the eight watchlists")
    commands.add_parser("providers", help="provider health")
    history = commands.add_parser("history", help="a symbol's bars, streamed")
    history.add_argument("symbol")
    history.add_argument("--interval", default="1d")
    history.add_argument("--range", default="1mo")
    profile = commands.add_parser("profile", help="a company profile")
    profile.add_argument("symbol")
    watch = commands.add_parser("watch", help="follow live quotes")
    watch.add_argument("symbols", nargs="*")
    watch.add_argument("--events", type=int, default=None)
    args = parser.parse_args(argv)
    client = LianyaohuClient(args.url)
    try:
        if args.command == "quote":
            quotes, errors = client.quotes(args.symbols)
            for quote in quotes.values():
                print(_describe(quote))
            for symbol, error in errors.items():
                print(f"{symbol:<10} {error['class']}: {error['message']}", file=sys.stderr)
            return 1 if errors else 0
        if args.command == "history":
            bars = client.history_bars(args.symbol, interval=args.interval, range=args.range)
            header = next(bars)
            marks = " SIM" if header["simulated"] else ""
            print(f"{header['symbol']} {header['interval']} from {header['source']}, age {header['age_seconds']:.1f}s{marks}")
            for bar in bars:
                print(f"{bar['time']:<20} {bar['open']:>12.2f} {bar['high']:>12.2f} {bar['low']:>12.2f} {bar['close']:>12.2f} {bar.get('volume', '')!s:>14}")
            return 0
        if args.command == "profile":
            profile = client.profile(args.symbol)
            for key in ("name", "exchange", "currency", "sector", "industry", "country", "market_cap", "website"):
                if key in profile:
                    print(f"{key:<12} {profile[key]}")
            print(f"from {profile['source']}, age {profile['age_seconds']:.1f}s" + (" SIM" if profile["simulated"] else ""))
            return 0
        if args.command == "immortals":
            for immortal in client.immortals():
                active = [entry["symbol"] for entry in immortal["symbols"] if entry["active"]]
                print(f"{immortal['name']} {immortal['pinyin']:<14} {immortal['stance']:<40} {' '.join(active)}")
            return 0
        if args.command == "providers":
            for provider in client.providers():
                state = provider["breaker"]["state"]
                print(f"{provider['id']:<12} {'up' if provider['up'] else 'DOWN':<5} breaker {state}")
            return 0
        if args.command == "watch":
            for event, data in client.stream(symbols=args.symbols or None, max_events=args.events, timeout=60):
                if event == "quote":
                    print(_describe(data), flush=True)
                elif event == "event":
                    print(f"-- {data['summary']}", flush=True)
            return 0
    except LianyaohuError as error:
        print(f"lianyaohu: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
