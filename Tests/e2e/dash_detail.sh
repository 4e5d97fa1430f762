#!/usr/bin/env bash
# End-to-end test of the dashboard's detail view: `Enter` on a symbol opens its chart, the
# window and interval keys load other series, `Esc` goes back to the panes. Runs in process
# (`lianyaohu dash`) and then attached to `lianyaohu serve` (`dash --connect`), where the
# series and the profile come over the API. Also checks that sparklines start full from
# intraday history rather than empty.
#
#   Tests/e2e/dash_detail.sh PATH/TO/lianyaohu
#
# Builds nothing. Every wait is bounded; serve and the tmux server (on its own socket) are
# killed on exit. Exits non-zero on any failure; the last line is "N passed, M failed".
set -u
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
need_apt tmux tmux || { echo "tmux is required" >&2; exit 2; }

socket="lianyaohu-e2e-detail-$$"
session=e2e
# shellcheck source=lib/tmux.bash
source "$(dirname "$0")/lib/tmux.bash"
serve_pid=""
url=""

stop_serve() { # stop_serve: SIGTERM, then SIGKILL after 10 s
  [[ -n "$serve_pid" ]] || return 0
  kill -TERM "$serve_pid" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$serve_pid" 2>/dev/null
  wait "$serve_pid" 2>/dev/null
  serve_pid=""
}
on_exit "stop_serve"

# A full sparkline: AAPL's row ends in at least eight block characters before its source (the
# session is 200 columns wide: narrower panes drop the sparkline column).
sparkline_full() { shows "^AAPL +[0-9.]+ .*[▁▂▃▄▅▆▇█]{8,} +sim-(alpha|beta|gamma)"; }
# The detail view's chart: the price axis (labels after ┤) and date labels below (╵YYYY-MM-DD).
chart_drawn() { shows "┤[0-9]+\.[0-9]+" && shows "╵[0-9]{4}-[0-9]{2}-[0-9]{2}"; }

# detail_walk MODE: opens AAPL's detail view, changes the window and the interval, goes back.
detail_walk() {
  local mode=$1
  check "$mode: starts and shows all eight immortals" 20 shows_all_immortals
  check "$mode: sparklines start full from intraday history" 15 sparkline_full
  keys 1 Enter
  check "$mode: Enter opens AAPL's detail view on a 3-month window of daily bars" 5 shows "AAPL.* 3mo window · 1d bars"
  check "$mode: the chart shows, with its price axis and date labels" 15 chart_drawn
  check "$mode: the window's change, high and low show" 5 shows "over 3mo · high [0-9.]+ low [0-9.]+"
  check "$mode: the series names its providers and age, marked simulated" 5 shows "history sim-[a-z]+.* [0-9]+[smhd] · [0-9]+ bars.*SIM"
  check "$mode: the profile names its provider" 10 shows "profile sim-[a-z]+ [0-9]+[smhd]"
  keys Right
  check "$mode: → moves to a 6-month window" 5 shows "AAPL.* 6mo window · 1d bars"
  check "$mode: and its chart loads" 15 chart_drawn
  keys i
  check "$mode: i moves to weekly bars" 5 shows "AAPL.* 6mo window · 1wk bars"
  check "$mode: and the weekly series loads" 15 shows "· [0-9]+ bars"
  keys Left Left Left Left
  check "$mode: ← four times reaches the one-day window of 5-minute bars" 5 shows "AAPL.* 1d window · 5m bars"
  check "$mode: which loads (bars or a clear empty message)" 15 shows "(· [0-9]+ bars|no 5m bars in the 1d window)"
  keys Escape
  check "$mode: Esc goes back to the panes" 5 shows_all_immortals
  check "$mode: the detail view is gone" 5 lacks "window · [0-9a-z]+ bars"
  keys q
  check "$mode: q quits with status 0" 10 shows "^EXIT=0"
}

tmux_ -f /dev/null new-session -d -s "$session" -x 200 -y 60 "env -i HOME=$scratch HISTFILE=/dev/null PATH=/usr/bin:/bin TERM=screen-256color bash --norc --noprofile"
tmux_ set-option -t "$session" status off >/dev/null
keys "export LANG=C.UTF-8 XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME PS1='e2e\$ '" Enter
keys "'$binary' dash --refresh-interval 0.5; echo EXIT=\$?" Enter
detail_walk "in process"

# The same over the control API.
log="$scratch/serve.log"
"$binary" serve --port 0 --seed 6 --refresh-interval 0.5 2>"$log" &
serve_pid=$!
for _ in $(seq 300); do
  found=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -n 1)
  if [[ -n "$found" ]]; then
    url=${found#listening on }
    break
  fi
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$url" ]]; then
  fail "not ok - serve starts for the --connect half"
  cat "$log" >&2
  exit 1
fi
keys "clear; '$binary' dash --connect '$url'; echo EXIT=\$?" Enter
detail_walk "--connect"
