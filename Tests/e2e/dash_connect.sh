#!/usr/bin/env bash
# End-to-end test of `lianyaohu dash --connect`: `lianyaohu serve` on a free loopback port,
# the dashboard attached to it in tmux. Live quotes, a trip from the dashboard that the API
# sees, the disconnected state when serve dies, and recovery when serve comes back on the
# same port, all without restarting the dashboard.
#
#   Tests/e2e/dash_connect.sh PATH/TO/lianyaohu
#
# Builds nothing. Every wait is bounded; serve and the tmux server (on its own socket) are
# killed on exit. Exits non-zero on any failure; the last line is "N passed, M failed".
set -u
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
need_apt tmux tmux || { echo "tmux is required" >&2; exit 2; }
need_apt curl curl || { echo "curl is required" >&2; exit 2; }
need_apt python3 python3 || { echo "python3 is required" >&2; exit 2; }

socket="lianyaohu-e2e-connect-$$"
session=e2e
# shellcheck source=lib/tmux.bash
source "$(dirname "$0")/lib/tmux.bash"
serve_pid=""
url=""

stop_serve() { # stop_serve [SIGNAL]: signals serve and waits for it, at most 10 s
  [[ -n "$serve_pid" ]] || return 0
  kill -s "${1:-TERM}" "$serve_pid" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$serve_pid" 2>/dev/null
  wait "$serve_pid" 2>/dev/null
  serve_pid=""
}
on_exit "stop_serve KILL"

# start_serve PORT: starts serve on 127.0.0.1:PORT (0: the kernel picks) and sets url.
start_serve() {
  local log="$scratch/serve-$RANDOM.log" found
  "$binary" serve --port "$1" --seed 6 --refresh-interval 0.5 2>"$log" &
  serve_pid=$!
  for _ in $(seq 300); do
    found=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -n 1)
    if [[ -n "$found" ]]; then
      url=${found#listening on }
      return 0
    fi
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "serve did not start on port $1:" >&2
  cat "$log" >&2
  return 1
}

# A live quote: AAPL with a price, its source and an age under 3 s.
aapl_live() { shows "^AAPL +[0-9.]+ .* sim-(alpha|beta|gamma) +[0-2]s"; }
# The header's quote rate is above zero.
quotes_flowing() { shows " (0\.[1-9]|[1-9][0-9.]*) quotes/s"; }
# provider_state PROVIDER STATE: GET /v1/providers says PROVIDER's breaker is in STATE.
provider_state() {
  curl -s --max-time 5 "$url/v1/providers" | python3 -c '
import json, sys
body = json.load(sys.stdin)
state = {p["id"]: p["breaker"]["state"] for p in body["providers"]}
sys.exit(0 if state.get(sys.argv[1]) == sys.argv[2] else 1)' "$1" "$2" 2>/dev/null
}

start_serve 0 || { fail "not ok - serve starts on a port the kernel picks"; exit 1; }
port=${url##*:}
endpoint="127\\.0\\.0\\.1:$port"

tmux_ -f /dev/null new-session -d -s "$session" -x 160 -y 48 "env -i HOME=$scratch HISTFILE=/dev/null PATH=/usr/bin:/bin TERM=screen-256color bash --norc --noprofile"
tmux_ set-option -t "$session" status off >/dev/null
keys "export LANG=C.UTF-8 XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME PS1='e2e\$ '" Enter
keys "'$binary' dash --connect '$url'; echo EXIT=\$?" Enter

check "attached: all eight immortals show" 20 shows_all_immortals
check "no connection badge once connected" 5 lacks "(DISCONNECTED|CONNECTING)"
check "quotes are live: AAPL with its price, source and a fresh age" 10 aapl_live
check "quotes flow: the header's quote rate is above zero" 10 quotes_flowing
check "the server's simulated flag shows as the SIMULATED badge" 5 shows "SIMULATED"

for _ in 1 2 3 4 5 6 7 8; do keys Tab; done
keys t
check "t trips the selected provider: the dashboard shows forced-open" 10 shows "▸ sim-alpha +forced-open"
check "the trip reached the server: GET /v1/providers says forced-open" 5 provider_state sim-alpha forced-open
check "the server's operator event reaches the events pane" 5 shows "operator +provider sim-alpha tripped by operator"
keys r
check "r resets it on the server too" 10 provider_state sim-alpha closed
check "and the dashboard shows it closed again" 10 shows "▸ sim-alpha +closed"

stop_serve KILL 2>/dev/null
check "serve killed: the DISCONNECTED badge shows" 10 shows "DISCONNECTED $endpoint · retrying"
check "the events pane says why and that it retries" 5 shows "disconnected from $endpoint: .*retrying"
sleep 3
check "the dashboard keeps running while the server is away" 1 lacks "^EXIT="
check "quotes age while disconnected (no AAPL with an age under 3 s)" 5 bash -c "! tmux -L '$socket' capture-pane -t '$session' -p | grep -qE '^AAPL +[0-9.]+ .* sim-(alpha|beta|gamma) +[0-2]s'"

if start_serve "$port"; then
  check "serve back on the same port: the badge goes" 30 lacks "DISCONNECTED"
  check "the events pane says it is connected again" 5 shows "connected to $endpoint"
  check "quotes are live again without restarting the dashboard" 15 aapl_live
  keys t
  check "commands work again: the new server sees a trip from the dashboard" 10 provider_state sim-alpha forced-open
else
  check "serve restarts on port $port" 0 false
fi

keys q
check "q quits with status 0" 10 shows "^EXIT=0"
stop_serve

# `dash --port`: the dashboard's own core, served on loopback from the same process.
log="$XDG_STATE_HOME/lianyaohu/dashboard.log"
: >"$log"
keys "clear; '$binary' dash --seed 6 --refresh-interval 0.5 --port 0; echo EXIT=\$?" Enter
check "dash --port starts the dashboard" 20 shows_all_immortals
served() {
  url=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -n 1)
  url=${url#listening on }
  [[ -n "$url" ]]
}
check "and serves the API on loopback (its address is in the dashboard's log)" 10 served
check "GET /v1/providers answers from the dashboard's core" 5 provider_state sim-beta closed
curl -s --max-time 5 -X POST "$url/v1/providers/sim-beta/trip" >/dev/null
check "a trip through the API shows in the dashboard at once" 10 shows "sim-beta +forced-open"
keys q
check "and q quits it with status 0" 10 shows "^EXIT=0"
check "the API is gone with it" 5 bash -c "! curl -s --max-time 2 '$url/healthz' >/dev/null"

# A server with a token: a command without it fails with the server's reason in the events
# pane; with it (from the environment) it succeeds; the token never reaches the log.
start_serve_with_token() { LIANYAOHU_API_TOKEN=e2e-secret start_serve 0; }
if start_serve_with_token; then
  keys "clear; '$binary' dash --connect '$url'; echo EXIT=\$?" Enter
  check "attached to a server that wants a token" 20 shows_all_immortals
  for _ in 1 2 3 4 5 6 7 8; do keys Tab; done
  keys t
  check "without the token a trip fails, with the server's reason in the events pane" 10 \
    shows "trip sim-alpha failed: .*Bearer .*LIANYAOHU_AP"
  check "and the server did not trip it" 5 provider_state sim-alpha closed
  keys q
  check "q quits" 10 shows "^EXIT=0"
  keys "clear; LIANYAOHU_API_TOKEN=e2e-secret '$binary' dash --connect '$url'; echo EXIT=\$?" Enter
  check "attached again, the token in LIANYAOHU_API_TOKEN" 20 shows_all_immortals
  for _ in 1 2 3 4 5 6 7 8; do keys Tab; done
  keys t
  check "with the token the trip reaches the server" 10 provider_state sim-alpha forced-open
  check "the token is never on screen" 1 lacks "e2e-secret"
  keys q
  check "q quits" 10 shows "^EXIT=0"
  check "the token is never in the dashboard's log" 1 bash -c "! grep -q e2e-secret '$log'"
  stop_serve
else
  check "serve starts with a token" 0 false
fi

keys "clear; stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\n' ' '; echo" Enter
check "the terminal is restored: canonical mode, echo and signals are on" 5 terminal_restored
