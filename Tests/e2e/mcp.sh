#!/usr/bin/env bash
# The agents' MCP server with the official Python MCP client (PyPI `mcp`, in a private venv
# under the scratch directory): over stdio (`lianyaohu mcp`) and over Streamable HTTP (`/mcp`
# on `lianyaohu serve` with a token): initialize, tools (quotes, history, profiles, watchlists,
# status), schemas, errors, the token rule, subscriptions; then raw hostile input on stdio
# (garbage lines, a 10 MB line, stdin closed mid-call). Usage: Tests/e2e/mcp.sh PATH-TO-lianyaohu
set -uo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
# shellcheck source=lib/api-serve.bash
source "$(dirname "$0")/lib/api-serve.bash"
cd "$repo" || exit 2

# A venv given in MCP_E2E_VENV is reused (for repeated local runs); otherwise a new one in
# the scratch directory (pip's cache is there too: common.bash points XDG_CACHE_HOME at it).
venv="${MCP_E2E_VENV:-$scratch/venv}"
# Debian ships venv's pip bootstrap apart, in python3-venv.
if ! python3 -c 'import ensurepip' 2>/dev/null; then
  echo "==> apt-get install python3-venv"
  apt_install python3-venv || { check "install python3-venv" false; exit 1; }
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import mcp, jsonschema' 2>/dev/null; then
  echo "==> pip install mcp jsonschema (into $venv)"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check mcp jsonschema; }; then
    check "install the Python MCP client" false
    exit 1
  fi
fi

# run_client NAME ARGS...: runs the Python client; each of its ok/FAIL lines is one check.
run_client() {
  local name="$1" line
  "$venv/bin/python" Tests/e2e/lib/mcp_e2e.py "$@" >"$scratch/$name.txt" 2>"$scratch/$name.err"
  local status=$?
  while IFS= read -r line; do
    case "$line" in
      "ok   "*) pass "$line" ;;
      "FAIL "*) fail "$line" ;;
      *) echo "$line" ;;
    esac
  done <"$scratch/$name.txt"
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' "$scratch/$name.txt"; then
    check "$name: the client ran to the end" false
    tail -n 30 "$scratch/$name.err"
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
