#!/usr/bin/env bash
# End-to-end test of the dashboard against a real HTTP provider: `lianyaohu simulate` serves
# the simulated market in the OpenBB Platform shape on loopback, the dashboard reads it
# through the openbb adapter, and killing the server opens that provider's breaker while the
# panes keep the last values, marked stale.
#
#   Tests/e2e/dash_simulate.sh PATH/TO/lianyaohu
#
# Builds nothing. Every wait is bounded; the server and the tmux server are killed on exit.
# Exits non-zero on any failure; the last line is "N passed, M failed".
set -u
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
need_apt tmux tmux || { echo "tmux is required" >&2; exit 2; }

socket="lianyaohu-e2e-sim-$$"
session=e2e
# shellcheck source=lib/tmux.bash
source "$(dirname "$0")/lib/tmux.bash"

simulate_pid=""
stop_simulate() { [[ -z "$simulate_pid" ]] || kill "$simulate_pid"; }
on_exit stop_simulate

# The simulated market over HTTP on a free loopback port.
"$binary" simulate --port 0 --latency-ms 20,80 >"$scratch/simulate.log" 2>&1 &
simulate_pid=$!
simulate_url() {
  local found
  found=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$scratch/simulate.log" | head -n 1)
  [[ -n "$found" ]] && echo "$found"
}
check "simulate starts and prints its address" 10 eval "simulate_url >/dev/null"
url=$(simulate_url)
echo "# simulate at $url"

mkdir -p "$XDG_CONFIG_HOME/lianyaohu"
cat >"$XDG_CONFIG_HOME/lianyaohu/config.toml" <<TOML
[providers.openbb]
kind = "openbb"
base_url = "$url"
backend = "fmp"
timeout_ms = 1000
breaker_window = 4
breaker_min_calls = 2
open_wait_s = 60

[cache]
quote_ttl = 3
TOML

tmux_ -f /dev/null new-session -d -s "$session" -x 160 -y 48 \
  "env -i HOME=$scratch HISTFILE=/dev/null PATH=/usr/bin:/bin TERM=screen-256color bash --norc --noprofile"
keys "export LANG=C.UTF-8 XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME PS1='e2e\$ '" Enter
keys "clear; '$binary' dash" Enter

check "the dashboard shows all eight immortals" 20 shows_all_immortals
check "quotes come from the openbb provider over HTTP" 20 shows "AAPL .* openbb"
check "simulated data is marked SIMULATED" 5 shows "SIMULATED"
check "the openbb breaker is closed" 5 shows "openbb +closed"

kill "$simulate_pid" 2>/dev/null
wait "$simulate_pid" 2>/dev/null
simulate_pid=""

check "with the server gone the openbb breaker opens" 30 shows "openbb +open"
check "the last values stay on screen" 5 shows "AAPL .* openbb"
check "and are marked stale" 20 shows "[0-9]+ STALE"

keys q
check "q quits back to the shell" 10 shows "^e2e\\$"
