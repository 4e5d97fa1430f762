# Shared by the scripts that start `lianyaohu serve` (sourced after common.bash): start and
# stop it on a loopback port the kernel picks, the check that runs its command once, and
# http_status. serve is stopped on exit. The scripts talk to it with curl and python3.
# shellcheck shell=bash disable=SC2154,SC2034 # binary and scratch come from common.bash; serve_status is for the scripts

need_apt curl curl || { echo "curl is required" >&2; exit 2; }
need_apt python3 python3 || { echo "python3 is required" >&2; exit 2; }
serve_pid=""
serve_log=""
serve_status="" # set by stop_serve
on_exit stop_serve

check() { # check NAME COMMAND...: runs COMMAND once; it passes when COMMAND succeeds
  local name="$1"
  shift
  if "$@"; then
    pass "ok   $name"
  else
    fail "FAIL $name"
  fi
}

# start_serve [ENV=VALUE...] -- [serve options...]: sets URL and serve_pid; fails after 30 s.
start_serve() {
  local environment=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do environment+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  serve_log="$scratch/serve-$RANDOM.log"
  env "${environment[@]}" "$binary" serve --port 0 "$@" 2>"$serve_log" &
  serve_pid=$!
  for _ in $(seq 300); do
    URL="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$serve_log" 2>/dev/null | head -1 | sed 's/listening on //')"
    [ -n "$URL" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "serve did not start:" >&2
  cat "$serve_log" >&2
  return 1
}

# stop_serve: SIGTERM, wait at most 15 s; sets serve_status (124 when it had to be killed).
stop_serve() {
  [ -n "$serve_pid" ] || return 0
  kill -TERM "$serve_pid" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$serve_pid" 2>/dev/null; then
    kill -KILL "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_status=124
  else
    serve_status=0
    wait "$serve_pid" 2>/dev/null || serve_status=$?
  fi
  serve_pid=""
}

http_status() { # http_status CURL-ARGS...: prints the status code only
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"
}
