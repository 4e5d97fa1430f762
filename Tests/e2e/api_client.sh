#!/usr/bin/env bash
# The Python example client (standard library only) against `lianyaohu serve` with a token.
# Usage: Tests/e2e/api_client.sh PATH-TO-lianyaohu
set -uo pipefail
cd "$(dirname "$0")/../.."
binary="$(realpath "$1")"
source Tests/e2e/lib/api-serve.bash
trap finish EXIT

start_serve LIANYAOHU_API_TOKEN=client-token -- || exit 1
LIANYAOHU_URL="$URL" LIANYAOHU_API_TOKEN=client-token python3 examples/test_lianyaohu_client.py >"$work/client.txt" 2>&1
status=$?
grep -E '(ok|FAIL|ERROR)$' "$work/client.txt"
check "example client tests pass" test "$status" -eq 0
LIANYAOHU_URL="$URL" python3 examples/lianyaohu_client.py quote AAPL BTC-USD >"$work/cli.txt"
check "example client CLI prints quotes" grep -q '^AAPL .* SIM$' "$work/cli.txt"
stop_serve
check "serve exits 0 on SIGTERM" test "$serve_status" -eq 0
