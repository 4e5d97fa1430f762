# Shared by Tests/e2e/api_*.sh (sourced, not run): start and stop `lianyaohu serve` on a
# loopback port the kernel picks, count checks, install missing tools.

passed=0
failed=0
serve_pid=""
serve_log=""
work="$(mktemp -d)"
# The servers started here read no config, keep no SQLite file and write no log outside
# the scratch directory, whoever runs the script and whatever is in their home.
mkdir -p "$work/config" "$work/state" "$work/data" "$work/cache"
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_DATA_HOME="$work/data" \
  XDG_CACHE_HOME="$work/cache"

check() { # check NAME COMMAND...
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

finish() {
  stop_serve >/dev/null 2>&1 || true
  rm -rf "$work"
  echo "$passed passed, $failed failed"
  # Scripts run this as their EXIT trap, and bash ignores a trap's status: it exits with the
  # status it was exiting with. A failed check must exit non-zero here itself.
  [ "$failed" -eq 0 ] || exit 1
}

# start_serve [ENV=VALUE...] -- [serve options...]: sets URL and serve_pid; fails after 30 s.
start_serve() {
  local environment=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do environment+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  serve_log="$work/serve-$RANDOM.log"
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

# need_pip COMMAND PACKAGE: installs PACKAGE from PyPI when COMMAND is missing.
need_pip() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "==> pip install $2"
  python3 -m pip install --quiet "$2" >/dev/null 2>&1 || python3 -m pip install --quiet --break-system-packages "$2"
  hash -r
  command -v "$1" >/dev/null 2>&1
}

# need_apt COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is missing.
need_apt() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "==> apt-get install $2"
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if ! apt-cache policy "$2" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    $sudo_cmd apt-get -o DPkg::Lock::Timeout=60 update -qq
  fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get -o DPkg::Lock::Timeout=60 install -y -qq --no-install-recommends "$2" >/dev/null
  command -v "$1" >/dev/null 2>&1
}

http_status() { # http_status CURL-ARGS...: prints the status code only
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"
}
