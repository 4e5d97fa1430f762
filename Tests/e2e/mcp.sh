#!/usr/bin/env bash
# The agents' MCP server with the official Python MCP client (PyPI `mcp`, in a private venv
# under the scratch directory): over stdio (`lianyaohu mcp`) and over Streamable HTTP (`/mcp`
# on `lianyaohu serve` with a token): initialize, tools, schemas, errors, the token rule,
# subscriptions; then raw hostile input on stdio (garbage lines, a 10 MB line, stdin closed
# mid-call). Usage: Tests/e2e/mcp.sh PATH-TO-lianyaohu
set -uo pipefail
cd "$(dirname "$0")/../.."
binary="$(realpath "$1")"
source Tests/e2e/lib/api-serve.bash
# bash ignores a trap's last status: say it.
trap 'finish || exit 1' EXIT

# A venv given in MCP_E2E_VENV is reused (for repeated local runs); otherwise a new one in $work.
venv="${MCP_E2E_VENV:-$work/venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import mcp, jsonschema' 2>/dev/null; then
  echo "==> pip install mcp jsonschema (into $venv)"
  python3 -m venv "$venv" \
    && PIP_CACHE_DIR="$work/pip-cache" "$venv/bin/pip" install --quiet --disable-pip-version-check mcp jsonschema \
    || { check "install the Python MCP client" false; exit 1; }
fi

# run_client NAME ARGS...: runs the Python client, adds its ok/FAIL lines to the counts.
run_client() {
  local name="$1"
  "$venv/bin/python" Tests/e2e/lib/mcp_e2e.py "$@" >"$work/$name.txt" 2>"$work/$name.err"
  local status=$?
  cat "$work/$name.txt"
  passed=$((passed + $(grep -c '^ok ' "$work/$name.txt")))
  failed=$((failed + $(grep -c '^FAIL ' "$work/$name.txt")))
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' "$work/$name.txt"; then
    check "$name: the client ran to the end" false
    tail -n 30 "$work/$name.err"
  fi
}

run_client stdio "$binary"
run_client hostile "$binary"

start_serve LIANYAOHU_API_TOKEN=mcp-e2e-token -- --seed 7 || exit 1
run_client http "$URL" mcp-e2e-token
check "http: a session-less GET /mcp is refused" test "$(http_status -H 'Accept: text/event-stream' "$URL/mcp")" = 400
check "http: a foreign Host is refused (DNS rebinding)" \
  test "$(http_status -X POST -H 'Host: evil.example' -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}' \
    "$URL/mcp")" = 421
check "http: REST reads still open" test "$(http_status "$URL/v1/quotes/AAPL")" = 200
check "http: the token is never logged" bash -c "! grep -q mcp-e2e-token '$serve_log'"
stop_serve
check "serve exits 0 on SIGTERM with MCP sessions served" test "$serve_status" -eq 0
