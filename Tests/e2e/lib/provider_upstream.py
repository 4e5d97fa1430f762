"""A loopback stand-in for every real provider, for Tests/e2e/provider_errors.sh.

Answers each provider's real request paths (as its adapter in
Sources/MarketProviders/Adapters/ sends them) with the recorded or built fixture bodies of
Tests/MarketProvidersTests/Fixtures/ (see its MANIFEST.md), byte for byte, under the status
the manifest, docs/PROVIDERS.md and the adapter tests give them. The symbol asked picks the
shape, so one server covers them all: AAPL is the success, RATEL the rate limit, and so on
(the table below). Anything it does not know, a route or a symbol, is a 404 with
"no such route", which no check expects.

Standard library only. Usage:
    python3 provider_upstream.py FIXTURES-DIR PORT-FILE LOG-FILE
Binds 127.0.0.1 on a port the kernel picks, writes that port to PORT-FILE once it listens,
and appends one line per request to LOG-FILE: "PROVIDER SYMBOL STATUS METHOD TARGET".
"""

import http.server
import json
import os
import sys
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = sys.argv[1]
PORT_FILE = sys.argv[2]
LOG_FILE = sys.argv[3]

JSON = "application/json"
HTML = "text/html"
TEXT = "text/plain"

# A shape: (status, fixture path or ("inline", bytes), content type, extra headers).
# Inline bodies are the ones the adapter tests write inline (an edge page, "any body").


def fixture(status, path, content_type=JSON, headers=()):
    return (status, path, content_type, tuple(headers))


def inline(status, text, content_type=TEXT, headers=()):
    return (status, ("inline", text.encode()), content_type, tuple(headers))


ECHO = "echo"  # answers a 200 HTML page that echoes the whole request, key included

SHAPES = {
    # OpenBB Platform: GET /api/v1/equity/price/quote?symbol=…&provider=fmp
    "openbb": {
        "AAPL": fixture(200, "openbb/quote_AAPL_fmp.json"),
        "RATEL": fixture(502, "openbb/error_502_fmp_rate_limit_relayed.json"),
        "RATEB": fixture(400, "openbb/error_400_fmp_rate_limit_relayed.json"),
        "NOKEY": fixture(400, "openbb/error_400_missing_credential.json"),
        "BADKEY": fixture(400, "synthetic/openbb_400_backend_unauthorized.json"),
        "LOGIN": fixture(401, "synthetic/openbb_401_incorrect_credentials.json"),
        "PLAN": fixture(400, "openbb/error_400_polygon_not_entitled.json"),
        "NORES": fixture(400, "openbb/error_400_no_results.json"),
        "EMPTY": (204, ("inline", b""), JSON, ()),
        "BADP": fixture(422, "openbb/error_422_symbol_pattern.json"),
        "DOWN": fixture(400, "openbb/error_400_upstream_503_relayed.json"),
        "PROXY": fixture(502, "openbb/error_502_proxy_nginx.html", HTML),
        "OOPS": fixture(500, "synthetic/openbb_500_unexpected_error.json"),
    },
    # Polygon.io: GET /v2/aggs/ticker/{T}/prev?adjusted=true&apiKey=…
    "polygon": {
        "AAPL": fixture(200, "synthetic/polygon_prev_close_AAPL_2023-01-09.json"),
        "I:SPX": fixture(403, "polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json"),
        "BADKEY": fixture(401, "synthetic/polygon_401_unknown_api_key.json"),
        "BADKEYB": fixture(400, "synthetic/polygon_401_unknown_api_key.json"),
        "NOKEY": fixture(401, "polygon/error_401_api_key_not_provided.json"),
        "RATEL": fixture(429, "synthetic/polygon_429_max_requests.json"),
        "ZZZZQ": fixture(200, "synthetic/polygon_prev_close_unknown_ticker.json"),
        "ECHO": ECHO,
    },
    # Alpha Vantage: GET /query?function=GLOBAL_QUOTE&symbol=…&apikey=… (all HTTP 200)
    "alpha-vantage": {
        "MSFT": fixture(200, "alpha_vantage/global_quote_MSFT_2018-10-05.json"),
        "BTC/CNY": fixture(200, "alpha_vantage/currency_exchange_rate_BTC_CNY_2017-12-20.json"),
        "RATEL": fixture(200, "alpha_vantage/error_note_rate_limit_2018.json"),
        "BURST": fixture(200, "alpha_vantage/information_burst_per_second.json"),
        "DAILY": fixture(200, "synthetic/alpha_vantage_information_daily_limit.json"),
        "BADCALL": fixture(200, "synthetic/alpha_vantage_error_message_invalid_call.json"),
        "XYZ/USD": fixture(200, "alpha_vantage/error_message_invalid_call_currency.json"),
        "BADKEY": fixture(200, "synthetic/alpha_vantage_error_message_invalid_apikey.json"),
        "DEMO": fixture(200, "alpha_vantage/information_demo_key.json"),
        "PREM": fixture(200, "alpha_vantage/information_premium_endpoint.json"),
        "ZZZZ": fixture(200, "synthetic/alpha_vantage_global_quote_unknown_symbol.json"),
        "ECHO": ECHO,
    },
    # Financial Modeling Prep: GET /stable/quote?symbol=…&apikey=…
    "fmp": {
        "AAPL": fixture(200, "fmp/quote_stable_AAPL_2025-09-23T0308Z.json", "application/json; charset=utf-8"),
        "RATEL": fixture(429, "fmp/error_429_limit_reach.json", "application/json; charset=utf-8"),
        "LEGACY": fixture(403, "fmp/error_403_legacy_endpoint.json"),
        "EXCL": fixture(403, "fmp/error_403_exclusive_endpoint.json"),
        "BADKEY": fixture(401, "synthetic/fmp_401_invalid_api_key.json"),
        "0700.HK": fixture(402, "synthetic/fmp_402_premium_symbol.json"),
        "ZZZZ": fixture(200, "synthetic/fmp_quote_unknown_symbol_empty.json"),
        "ECHO": ECHO,
    },
    # Finnhub: GET /api/v1/quote?symbol=… with X-Finnhub-Token
    "finnhub": {
        "AAPL": fixture(200, "finnhub/quote_AAPL_2023-09-29.json"),
        "DENIED": fixture(403, "finnhub/error_403_no_access.json"),
        "NOSUP": fixture(200, "finnhub/error_symbol_not_supported.json"),
        "RATEL": fixture(429, "finnhub/error_429_try_again_later.txt", TEXT),
        "SIGNUP": fixture(429, "finnhub/error_429_api_limit_reached.txt", TEXT),
        "BADKEY": fixture(401, "synthetic/finnhub_401_invalid_api_key.json"),
        "ZZZZ": fixture(200, "synthetic/finnhub_quote_unknown_symbol_all_zero.json"),
        "ECHO": ECHO,
    },
    # Yahoo Finance, without a session: GET /v8/finance/chart/{SYM}?interval=1d&range=1d
    "yahoo": {
        "AAPL": fixture(200, "yfinance/v8_chart_AAPL_range1d_2025-02-19.json", "application/json;charset=utf-8"),
        "ZZZZ": fixture(404, "synthetic/yahoo_v8_chart_404_not_found.json"),
        "RATEL": fixture(429, "yfinance/error_429_too_many_requests.txt", TEXT),
        "^RUT": fixture(429, "yfinance/error_429_getcrumb_edge_too_many_requests.txt", TEXT),
        "CRUMB": fixture(401, "yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json"),
        "EDGE": fixture(404, "yfinance/error_404_fc_yahoo_com_cookie_bootstrap.html", HTML),
    },
    # Yahoo Finance with a session: GET /v7/finance/quote?symbols=…&crumb=… (+ Cookie)
    "yahoo-v7": {
        "AAPL": fixture(200, "yfinance/v7_quote_AAPL_2025-12-22.json", "application/json;charset=utf-8"),
        "ZZZZ": fixture(200, "yfinance/v7_quote_empty_result.json", "application/json;charset=utf-8"),
        "CRUMB": fixture(401, "yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json"),
        "ECHO": ECHO,
    },
    # Stooq: GET /q/l/?s=aapl.us&f=sd2t2ohlcv&h&e=csv (all HTTP 200 but the outage)
    "stooq": {
        "aapl.us": fixture(200, "stooq/quote_AAPL.US_2022-12-09.csv", "text/csv"),
        "appl.us": fixture(200, "stooq/quote_unknown_symbol_N-D.csv", "text/csv"),
        "hits.us": fixture(200, "stooq/error_daily_hits_limit.txt", TEXT),
        "page.us": fixture(200, "stooq/html_200_page.html", HTML),
        "down.us": inline(503, "Service Unavailable"),
    },
    # Cboe: GET /api/global/delayed_quotes/quotes/{SYM}.json
    "cboe": {
        "AAPL": fixture(200, "cboe/delayed_quote_AAPL_2023-12-18.json"),
        "ZZZZ": fixture(403, "cboe/error_403_access_denied.xml", "application/xml"),
        "GONE": fixture(404, "cboe/error_404_not_found.html", HTML),
        "BLOCK": fixture(403, "cboe/error_403_cloudfront_blocked.html", HTML),
        "RATEL": inline(429, "Too Many Requests"),
        "DOWN": inline(503, "Service Unavailable"),
    },
    # TMX Money: POST /graphql, the symbol in the JSON body's variables
    "tmx": {
        "SHOP": fixture(200, "tmx/graphql_getQuoteBySymbol_SHOP_2023-12-27.json", "application/json; charset=utf-8"),
        "ZZZZ": fixture(200, "tmx/graphql_getQuoteBySymbol_null.json"),
        "RATEL": fixture(200, "tmx/graphql_errors_rate_limited.json"),
        "VALID": fixture(200, "tmx/graphql_errors_validation.json"),
        "OOPS": fixture(200, "tmx/graphql_errors_internal.json"),
        "EDGE": inline(429, "<html><body>Too Many Requests</body></html>", HTML),
        "WALL": inline(403, "<html><body>Access Denied</body></html>", HTML),
    },
}


def one(query, name):
    values = query.get(name, [])
    return values[0] if len(values) == 1 else None


def route(method, target, body):
    """(provider, symbol) for a request on a provider's real path, else (None, None)."""
    parts = urlsplit(target)
    path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
    if method == "GET" and path == "/api/v1/equity/price/quote" and one(query, "provider") == "fmp":
        return "openbb", one(query, "symbol")
    if method == "GET" and path.startswith("/v2/aggs/ticker/") and path.endswith("/prev"):
        if one(query, "adjusted") == "true" and one(query, "apiKey"):
            return "polygon", unquote(path[len("/v2/aggs/ticker/"):-len("/prev")])
    if method == "GET" and path == "/query" and one(query, "apikey"):
        if one(query, "function") == "GLOBAL_QUOTE":
            return "alpha-vantage", one(query, "symbol")
        if one(query, "function") == "CURRENCY_EXCHANGE_RATE":
            return "alpha-vantage", f"{one(query, 'from_currency')}/{one(query, 'to_currency')}"
    if method == "GET" and path == "/stable/quote" and one(query, "apikey"):
        return "fmp", one(query, "symbol")
    if method == "GET" and path == "/api/v1/quote":
        return "finnhub", one(query, "symbol")
    if method == "GET" and path.startswith("/v8/finance/chart/"):
        if one(query, "interval") == "1d" and one(query, "range") == "1d":
            return "yahoo", unquote(path[len("/v8/finance/chart/"):])
    if method == "GET" and path == "/v7/finance/quote" and one(query, "crumb"):
        return "yahoo-v7", one(query, "symbols")
    if method == "GET" and path == "/q/l/" and one(query, "f") == "sd2t2ohlcv" and one(query, "e") == "csv":
        return "stooq", one(query, "s")
    prefix = "/api/global/delayed_quotes/quotes/"
    if method == "GET" and path.startswith(prefix) and path.endswith(".json"):
        return "cboe", unquote(path[len(prefix):-len(".json")])
    if method == "POST" and path == "/graphql":
        try:
            request = json.loads(body)
            if request.get("operationName") == "getQuoteBySymbol":
                return "tmx", request["variables"]["symbol"]
        except (ValueError, KeyError, TypeError):
            pass
    return None, None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        provider, symbol = route(self.command, self.path, body)
        shape = SHAPES.get(provider, {}).get(symbol)
        headers = ()
        if shape == ECHO:
            # A careless edge page that shows the request it was sent, the headers that carry
            # credentials first (so they fall inside the excerpt an error may quote).
            secret = {"authorization", "cookie", "x-finnhub-token"}
            lines = sorted(self.headers.items(), key=lambda item: item[0].lower() not in secret)
            echoed = f"{self.command} {self.path} " + " ".join(f"{name}: {value}" for name, value in lines)
            status, payload, content_type = 200, f"<html><body><pre>{echoed}</pre></body></html>".encode(), HTML
        elif shape is None:
            status, payload, content_type = 404, f"no such route: {self.command} {self.path}".encode(), TEXT
        else:
            status, source, content_type, headers = shape
            if isinstance(source, tuple):
                payload = source[1]
            else:
                with open(os.path.join(FIXTURES, source), "rb") as file:
                    payload = file.read()
        with open(LOG_FILE, "a", encoding="utf-8") as log:
            log.write(f"{provider or '-'} {symbol or '-'} {status} {self.command} {self.path}\n")
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if status != 204:
            self.wfile.write(payload)

    do_GET = answer
    do_POST = answer

    def log_message(self, *_):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(PORT_FILE + ".tmp", "w", encoding="utf-8") as file:
        file.write(str(server.server_address[1]))
    os.replace(PORT_FILE + ".tmp", PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()
