#!/usr/bin/env bash
# The Python example client (standard library only) against `lianyaohu serve` with a token.
# Usage: Tests/e2e/api_client.sh PATH-TO-lianyaohu
set -uo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
# shellcheck source=lib/api-serve.bash
source "$(dirname "$0")/lib/api-serve.bash"
cd "$repo" || exit 2

start_serve LIANYAOHU_API_TOKEN=client-token -- || exit 1
LIANYAOHU_URL="$URL" LIANYAOHU_API_TOKEN=client-token python3 examples/test_lianyaohu_client.py >"$scratch/client.txt" 2>&1
status=$?
grep -E '(ok|FAIL|ERROR)$' "$scratch/client.txt"
check "example client tests pass" test "$status" -eq 0
LIANYAOHU_URL="$URL" python3 examples/lianyaohu_client.py quote AAPL BTC-USD >"$scratch/cli.txt"
check "example client CLI prints quotes" grep -q '^AAPL .* SIM$' "$scratch/cli.txt"
stop_serve
check "serve exits 0 on SIGTERM" test "$serve_status" -eq 0
