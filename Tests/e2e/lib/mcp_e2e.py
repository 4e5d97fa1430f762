"""The official Python MCP client (PyPI `mcp`) against `lianyaohu mcp` (stdio) and `lianyaohu
serve` (Streamable HTTP at /mcp), plus raw hostile input on stdio. Prints one `ok   NAME` or
`FAIL NAME` line per check; Tests/e2e/mcp.sh counts them.

Usage:
  mcp_e2e.py stdio BINARY
  mcp_e2e.py http URL TOKEN
  mcp_e2e.py hostile BINARY
"""

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request

failures = 0

TOOLS = ["get_quote", "get_quotes", "get_history", "get_profile", "list_immortals", "get_watchlist",
         "set_watchlist_symbol", "provider_status", "cache_stats"]


def check(name, condition, detail=""):
    global failures
    if condition:
        print(f"ok   {name}", flush=True)
    else:
        failures += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)


def validate(name, value, schema):
    import jsonschema
    try:
        jsonschema.validate(value, schema)
        check(f"{name}: result valid against its output schema", True)
    except jsonschema.ValidationError as error:
        check(f"{name}: result valid against its output schema", False, error.message)


class Updates:
    """Collects notifications/resources/updated as the session's message handler sees them."""

    def __init__(self):
        self.uris = []

    async def __call__(self, message):
        root = getattr(message, "root", message)
        if getattr(root, "method", None) == "notifications/resources/updated":
            self.uris.append(str(root.params.uri))

    async def wait_for(self, uri, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if uri in self.uris:
                return True
            await asyncio.sleep(0.05)
        return False


async def common(session, updates, label, mutations_open):
    """What both transports must do the same way."""
    try:
        from mcp.shared.exceptions import MCPError as McpError  # mcp 2.x
    except ImportError:
        from mcp.shared.exceptions import McpError  # mcp 1.x

    info = await session.initialize()
    check(f"{label}: initialize names the server", info.server_info.name == "lianyaohu", str(info.server_info))
    check(f"{label}: resources can be subscribed", bool(info.capabilities.resources and info.capabilities.resources.subscribe))

    listed = (await session.list_tools()).tools
    schemas = {tool.name: tool.output_schema for tool in listed}
    check(f"{label}: list tools", [tool.name for tool in listed] == TOOLS, str([tool.name for tool in listed]))
    check(f"{label}: every tool has input and output schemas",
          all(tool.input_schema and tool.output_schema for tool in listed))
    read_only = {tool.name: tool.annotations.read_only_hint for tool in listed if tool.annotations}
    check(f"{label}: only set_watchlist_symbol is not read-only",
          [name for name, flag in read_only.items() if not flag] == ["set_watchlist_symbol"], str(read_only))

    result = await session.call_tool("get_quote", {"symbol": "AAPL"})
    quote = result.structured_content or {}
    check(f"{label}: get_quote AAPL answers", not result.is_error, str(result))
    check(f"{label}: get_quote AAPL is simulated", quote.get("simulated") is True, str(quote))
    check(f"{label}: get_quote AAPL has source and age",
          bool(quote.get("source")) and isinstance(quote.get("age_seconds"), (int, float)) and "as_of" in quote, str(quote))
    check(f"{label}: get_quote has a short text rendering",
          any(getattr(item, "text", "").startswith("AAPL ") for item in result.content), str(result.content))
    validate(f"{label}: get_quote", quote, schemas["get_quote"])

    bad = await session.call_tool("get_quote", {"symbol": "NOT A SYMBOL!"})
    check(f"{label}: a bad symbol gives isError", bad.is_error is True, str(bad))
    check(f"{label}: the error carries its stable class",
          (bad.structured_content or {}).get("error", {}).get("class") == "invalid_symbol", str(bad.structured_content))

    try:
        await session.call_tool("get_quote", {"symbol": 42})
        check(f"{label}: malformed arguments are invalid params", False, "accepted")
    except McpError as error:
        check(f"{label}: malformed arguments are invalid params", error.error.code == -32602, str(error.error))

    history = await session.call_tool("get_history", {"symbol": "AAPL", "interval": "1d", "range": "1mo"})
    series = history.structured_content or {}
    bars = series.get("bars") or []
    check(f"{label}: get_history AAPL 1d 1mo answers", not history.is_error, str(history)[:300])
    check(f"{label}: get_history has bars, all of the month", len(bars) >= 15 and series.get("bar_count") == len(bars),
          f"{len(bars)} bars of {series.get('bar_count')}")
    check(f"{label}: get_history has source, age and the simulated mark",
          bool(series.get("source")) and isinstance(series.get("age_seconds"), (int, float))
          and series.get("simulated") is True, str({k: v for k, v in series.items() if k != "bars"})[:300])
    check(f"{label}: get_history's summary ends on the last bar",
          bool(bars) and (series.get("summary") or {}).get("last", {}).get("time") == bars[-1]["time"] == series.get("as_of"))
    check(f"{label}: get_history names the API path for the whole series",
          series.get("api_path") == "/v1/history/AAPL?interval=1d&range=1mo", str(series.get("api_path")))
    validate(f"{label}: get_history", series, schemas["get_history"])
    try:
        await session.call_tool("get_history", {"symbol": "AAPL", "range": "3y"})
        check(f"{label}: get_history with a bad range is invalid params", False, "accepted")
    except McpError as error:
        check(f"{label}: get_history with a bad range is invalid params naming invalid_range",
              error.error.code == -32602 and "invalid_range" in error.error.message, str(error.error))

    profile = await session.call_tool("get_profile", {"symbol": "AAPL"})
    facts = profile.structured_content or {}
    check(f"{label}: get_profile AAPL answers", not profile.is_error, str(profile)[:300])
    check(f"{label}: get_profile AAPL has a name, source, age and the simulated mark",
          bool(facts.get("name")) and bool(facts.get("source")) and isinstance(facts.get("age_seconds"), (int, float))
          and facts.get("simulated") is True, str(facts)[:300])
    validate(f"{label}: get_profile", facts, schemas["get_profile"])

    for name, arguments in [("get_quotes", {"symbols": ["AAPL", "MSFT", "ZZZZ-NOPE"]}), ("list_immortals", {}),
                            ("get_watchlist", {"immortal": "he-xiangu"}), ("provider_status", {}), ("cache_stats", {})]:
        answer = await session.call_tool(name, arguments)
        check(f"{label}: {name} answers", not answer.is_error, str(answer)[:300])
        validate(f"{label}: {name}", answer.structured_content, schemas[name])

    if mutations_open:
        edit = await session.call_tool("set_watchlist_symbol", {"immortal": "li-tieguai", "symbol": "GME", "active": False})
        check(f"{label}: set_watchlist_symbol answers", not edit.is_error, str(edit)[:300])
        validate(f"{label}: set_watchlist_symbol", edit.structured_content, schemas["set_watchlist_symbol"])

    templates = (await session.list_resource_templates()).resource_templates
    check(f"{label}: the quote resource template is listed",
          any(t.uri_template == "lianyaohu://quotes/{symbol}" for t in templates))
    contents = (await session.read_resource("lianyaohu://quotes/AAPL")).contents
    check(f"{label}: reading lianyaohu://quotes/AAPL gives the quote",
          json.loads(contents[0].text).get("symbol") == "AAPL")

    prompt = await session.get_prompt("debate_brief", {"immortal": "lu-dongbin"})
    text = prompt.messages[0].content.text
    check(f"{label}: debate_brief has the stance and quotes", "bull, growth stock-picking" in text and "AAPL" in text, text)

    await session.subscribe_resource("lianyaohu://quotes/AAPL")
    check(f"{label}: subscribed to lianyaohu://quotes/AAPL receives an update",
          await updates.wait_for("lianyaohu://quotes/AAPL"), str(updates.uris))
    await session.unsubscribe_resource("lianyaohu://quotes/AAPL")
    return series


async def run_stdio(binary):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    parameters = StdioServerParameters(command=binary, args=["mcp", "--seed", "7"], env=dict(os.environ))
    updates = Updates()
    async with stdio_client(parameters) as (read, write):
        async with ClientSession(read, write, message_handler=updates) as session:
            await common(session, updates, "stdio", mutations_open=True)


async def run_http(url, token):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    edit = {"immortal": "lan-caihe", "symbol": "PLTR", "active": False}

    def lan_caihe_pltr():
        with urllib.request.urlopen(f"{url}/v1/immortals", timeout=10) as response:
            immortals = json.load(response)["immortals"]
        entries = next(i for i in immortals if i["id"] == "lan-caihe")["symbols"]
        return next(e["active"] for e in entries if e["symbol"] == "PLTR")

    updates = Updates()
    async with streamable_http_client(f"{url}/mcp") as (read, write):
        async with ClientSession(read, write, message_handler=updates) as session:
            series = await common(session, updates, "http", mutations_open=False)
            with urllib.request.urlopen(f"{url}{series.get('api_path', '')}", timeout=10) as response:
                document = json.load(response)
            check("http: get_history's api_path serves the same series over REST",
                  [bar["time"] for bar in document.get("bars", [])] == [bar["time"] for bar in series.get("bars", [])],
                  f"{len(document.get('bars', []))} bars over REST, {len(series.get('bars', []))} over MCP")
            refused = await session.call_tool("set_watchlist_symbol", edit)
            check("http: set_watchlist_symbol without the token is refused",
                  refused.is_error is True and refused.structured_content["error"]["class"] == "unauthorized",
                  str(refused.structured_content))
            check("http: the refusal does not echo the token", token not in str(refused))
            check("http: the refused edit changed nothing", lan_caihe_pltr() is True)

    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as client:
        async with streamable_http_client(f"{url}/mcp", http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                accepted = await session.call_tool("set_watchlist_symbol", edit)
                check("http: set_watchlist_symbol with the token succeeds", not accepted.is_error, str(accepted)[:300])
                check("http: the edit shows in GET /v1/immortals", lan_caihe_pltr() is False)


def run_hostile(binary):
    """Raw bytes on stdin: garbage lines, a 10 MB line, stdin closed mid-call."""
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}}}
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_quote", "arguments": {"symbol": "MSFT"}}}
    lines = [json.dumps(initialize), json.dumps(initialized), "this is not json", "{\"jsonrpc\": \"2.0\",", "\x00\x01\x02",
             "[1, 2", "7", "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"" + "x" * (10 * 1024 * 1024) + "\"}", json.dumps(call)]
    stdin = ("\n".join(lines) + "\n").encode()
    started = time.monotonic()
    process = subprocess.run([binary, "mcp", "--seed", "7"], input=stdin, capture_output=True, timeout=60)
    elapsed = time.monotonic() - started
    out_lines = process.stdout.decode(errors="replace").splitlines()
    messages = []
    for line in out_lines:
        try:
            messages.append(json.loads(line))
        except ValueError:
            messages.append({"not_json": line})
    check("hostile: every line on stdout is JSON", all("not_json" not in m for m in messages), str(out_lines[:5]))
    anonymous = [m for m in messages if "error" in m and m.get("id") is None]
    codes = sorted(m["error"]["code"] for m in anonymous)
    check("hostile: garbage lines get parse errors with id null", codes.count(-32700) == 4, str(codes))
    check("hostile: a scalar line is an invalid request", codes.count(-32600) >= 1, str(codes))
    oversized = [m for m in anonymous if "longer than the limit" in m["error"]["message"]]
    check("hostile: the 10 MB line is refused with a clear error", len(oversized) == 1, str(anonymous)[:400])
    answer = next((m for m in messages if m.get("id") == 2), None)
    check("hostile: the call after them is answered, though stdin closed right behind it",
          answer is not None and "result" in answer, str(answer)[:300])
    check("hostile: exit 0 at end of input", process.returncode == 0, f"exit {process.returncode}")
    check("hostile: logs stay off stdout", b"serving MCP" not in process.stdout and b"serving MCP" in process.stderr)
    check("hostile: done within 30 s", elapsed < 30, f"{elapsed:.1f} s")

    # The client closes stdin while a call is in flight, and stops reading too (its end of stdout closes).
    child = subprocess.Popen([binary, "mcp", "--seed", "7"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
    child.stdin.write((json.dumps(initialize) + "\n" + json.dumps(initialized) + "\n").encode())
    child.stdin.write((json.dumps(dict(call, id=3, params={"name": "get_quotes", "arguments": {"symbols": ["AAPL", "NVDA"]}})) + "\n").encode())
    child.stdin.flush()
    child.stdin.close()
    child.stdout.close()
    try:
        status = child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        status = None
    check("hostile: stdin and stdout closed mid-call: no crash, exit 0", status == 0, f"exit {status}")


def main():
    mode = sys.argv[1]
    if mode == "stdio":
        asyncio.run(run_stdio(sys.argv[2]))
    elif mode == "http":
        asyncio.run(run_http(sys.argv[2], sys.argv[3]))
    elif mode == "hostile":
        run_hostile(sys.argv[2])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
