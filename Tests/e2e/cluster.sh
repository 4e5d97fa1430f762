#!/usr/bin/env bash
# End-to-end test of the shared Redis tier: two `lianyaohu serve` instances and one
# redis-server (with a password), all on loopback ports picked at run time.
#
#   Tests/e2e/cluster.sh PATH/TO/lianyaohu
#
# A quote fetched through A is served by B with no upstream call on B; a trip, an
# invalidation and a watchlist edit on A show on B within a second; with Redis stopped both
# keep serving and report the tier down, and after Redis restarts they use it again without
# a restart. Operator state outlives an outage: a trip on A and a disable on B taken while
# Redis is stopped show on both within 5 s of its return, and a third instance started
# afterwards shows them from its first second. The Redis password never appears in any output.
set -u
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
# shellcheck source=lib/api-serve.bash
source "$(dirname "$0")/lib/api-serve.bash"
need_apt redis-server redis-server || { echo "redis-server is required" >&2; exit 2; }
need_apt jq jq || exit 2

secret="e2e-redis-secret-$RANDOM"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
redis_pid=""
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --requirepass "$secret" \
    --daemonize no >"$scratch/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do
    redis-cli -p "$redis_port" -a "$secret" --no-auth-warning ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  return 1
}
stop_redis() {
  [[ -n "$redis_pid" ]] || return 0
  kill -TERM "$redis_pid" 2>/dev/null
  wait "$redis_pid" 2>/dev/null
  redis_pid=""
}
rcli() { redis-cli -p "$redis_port" -a "$secret" --no-auth-warning "$@"; }

# Two instances: each its own data directory (SQLite) and log; no watchlist refreshes after
# the first pass, so every upstream call below is one the test caused.
declare -A url pid log
start_instance() { # start_instance NAME
  local name=$1
  mkdir -p "$scratch/$name"
  log[$name]="$scratch/$name/serve.log"
  env XDG_DATA_HOME="$scratch/$name" XDG_CONFIG_HOME="$scratch/$name" XDG_STATE_HOME="$scratch/$name" LIANYAOHU_REDIS_URL="redis://:$secret@127.0.0.1:$redis_port/0" \
    "$binary" serve --port 0 --seed 6 --refresh-interval 3600 2>"${log[$name]}" &
  pid[$name]=$!
  for _ in $(seq 300); do
    url[$name]=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "${log[$name]}" 2>/dev/null | head -1 | sed 's/listening on //')
    [[ -n "${url[$name]}" ]] && return 0
    sleep 0.1
  done
  cat "${log[$name]}" >&2
  return 1
}
stop_instances() {
  for name in a b c; do [[ -n "${pid[$name]:-}" ]] && kill -TERM "${pid[$name]}" 2>/dev/null; done
  for name in a b c; do [[ -n "${pid[$name]:-}" ]] && wait "${pid[$name]}" 2>/dev/null; done
}
on_exit stop_redis
on_exit stop_instances

# within SECONDS COMMAND...: polls every 0.1 s.
within() {
  local tries=$(($1 * 10))
  shift
  while ((tries-- > 0)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
upstream_calls() { # upstream_calls NAME: every upstream request the instance has made
  curl -s --max-time 5 "${url[$1]}/metrics" | awk '/^lianyaohu_upstream_requests_total/ { sum += $NF } END { print sum + 0 }'
}
tier_up() { # tier_up NAME true|false
  [[ "$(curl -s --max-time 5 "${url[$1]}/readyz" | jq -r '.tiers[] | select(.tier == "redis") | .up')" == "$2" ]]
}
breaker() { curl -s --max-time 5 "${url[$1]}/v1/providers" | jq -r ".providers[] | select(.id == \"$2\") | .breaker.state"; }
provider_field() { # provider_field NAME PROVIDER JQ-PATH
  curl -s --max-time 2 "${url[$1]}/v1/providers/$2" | jq -r "$3"
}
shows_outage_actions() { # shows_outage_actions NAME...: A's trip of sim-alpha and B's disable of sim-beta
  local name
  for name in "$@"; do
    [[ "$(provider_field "$name" sim-alpha .breaker.state)" == forced-open ]] || return 1
    [[ "$(provider_field "$name" sim-beta .enabled)" == false ]] || return 1
  done
}

start_redis || { echo "redis-server did not start" >&2; cat "$scratch/redis.log" >&2; exit 1; }
check "instance A starts with LIANYAOHU_REDIS_URL" start_instance a
check "instance B starts with the same Redis" start_instance b
check "A reports the Redis tier up" within 10 tier_up a true
check "B reports the Redis tier up" within 10 tier_up b true

quote_a=$(curl -s --max-time 10 "${url[a]}/v1/quotes/GOOGL")
check "A fetches GOOGL from a provider" test "$(jq -r .origin <<<"$quote_a")" = upstream
check "A writes it to Redis under a versioned key" within 3 bash -c "[[ \$(redis-cli -p $redis_port -a $secret --no-auth-warning exists lianyaohu:v1:quote:GOOGL) == 1 ]]"
check "the entry expires (SET with PX)" test "$(rcli pttl lianyaohu:v1:quote:GOOGL)" -gt 0
before_b=$(upstream_calls b)
quote_b=$(curl -s --max-time 10 "${url[b]}/v1/quotes/GOOGL")
check "B serves GOOGL from the shared tier" test "$(jq -r .origin <<<"$quote_b")" = sharedTier
check "with A's price and source" test "$(jq -c '[.price, .source]' <<<"$quote_b")" = "$(jq -c '[.price, .source]' <<<"$quote_a")"
check "and zero upstream calls on B" test "$(upstream_calls b)" = "$before_b"

curl -s --max-time 5 -X POST "${url[a]}/v1/providers/sim-alpha/trip" >/dev/null
check "a trip on A shows on B within a second" within 1 bash -c "[[ \$(curl -s '${url[b]}/v1/providers' | jq -r '.providers[] | select(.id == \"sim-alpha\") | .breaker.state') == forced-open ]]"
curl -s --max-time 5 -X POST "${url[b]}/v1/providers/sim-alpha/reset" >/dev/null
check "a reset on B shows on A within a second" within 1 bash -c "[[ \$(curl -s '${url[a]}/v1/providers' | jq -r '.providers[] | select(.id == \"sim-alpha\") | .breaker.state') == closed ]]"

curl -s --max-time 5 -X DELETE "${url[a]}/v1/cache/GOOGL" >/dev/null
check "an invalidation on A removes the Redis entry" within 1 bash -c "[[ \$(redis-cli -p $redis_port -a $secret --no-auth-warning exists lianyaohu:v1:quote:GOOGL) == 0 ]]"
check "and B's own copy within a second (B's next read is not from memory)" \
  within 1 bash -c "[[ \$(curl -s '${url[b]}/v1/quotes/GOOGL' | jq -r .origin) != memory ]]"

curl -s --max-time 5 -X PATCH -H 'Content-Type: application/json' \
  -d '{"edits":[{"op":"add","symbol":"AMZN"}]}' "${url[a]}/v1/immortals/lu-dongbin" >/dev/null
check "a watchlist edit on A shows on B within a second" \
  within 1 bash -c "curl -s '${url[b]}/v1/immortals/lu-dongbin' | jq -e '.symbols | map(.symbol) | index(\"AMZN\")' >/dev/null"

stop_redis
check "Redis stopped: A still serves quotes" test "$(http_status "${url[a]}/v1/quotes/AAPL")" = 200
check "and B too" test "$(http_status "${url[b]}/v1/quotes/MSFT")" = 200
check "A reports the tier down in /readyz (and stays ready)" within 5 tier_up a false
check "/readyz says why" bash -c "curl -s '${url[a]}/readyz' | jq -e '.ready == true and ((.tiers[] | select(.tier == \"redis\") | .reason) | length > 0)' >/dev/null"
check "/metrics says so: lianyaohu_cache_tier_up{tier=\"redis\"} 0" \
  bash -c "curl -s '${url[a]}/metrics' | grep -q '^lianyaohu_cache_tier_up{tier=\"redis\"} 0'"
check "a trip while Redis is down still works locally" \
  bash -c "curl -s -X POST '${url[a]}/v1/providers/sim-beta/trip' | jq -e '.breaker.state == \"forced-open\"' >/dev/null"
check "Redis down: trip sim-alpha on A" \
  bash -c "curl -s -X POST '${url[a]}/v1/providers/sim-alpha/trip' | jq -e '.breaker.state == \"forced-open\"' >/dev/null"
check "Redis down: disable sim-beta on B" \
  bash -c "curl -s -X POST '${url[b]}/v1/providers/sim-beta/disable' | jq -e '.enabled == false' >/dev/null"
check "neither has heard of the other's action yet" \
  test "$(provider_field b sim-alpha .breaker.state),$(provider_field a sim-beta .enabled)" = "closed,true"

start_redis || { echo "redis-server did not restart" >&2; exit 1; }
check "Redis back (empty): A and B both show both outage actions within 5 s" within 5 shows_outage_actions a b
check "the operator state is stored in Redis with versions" \
  bash -c "rcli() { redis-cli -p $redis_port -a $secret --no-auth-warning \"\$@\"; }
    rcli hget lianyaohu:v1:operator provider:sim-alpha:breaker | jq -e '.value == \"tripped\" and (.version.wall > 0)' >/dev/null &&
    rcli hget lianyaohu:v1:operator provider:sim-beta:enabled | jq -e '.value == false' >/dev/null"
check "Redis back: A reconnects by itself" within 20 tier_up a true
check "and B" within 20 tier_up b true
curl -s --max-time 10 "${url[a]}/v1/quotes/META" >/dev/null
check "A writes to Redis again without a restart" within 3 bash -c "[[ \$(redis-cli -p $redis_port -a $secret --no-auth-warning exists lianyaohu:v1:quote:META) == 1 ]]"
curl -s --max-time 5 -X POST "${url[a]}/v1/providers/sim-gamma/trip" >/dev/null
check "and a trip on A reaches B again" within 2 bash -c "[[ \$(curl -s '${url[b]}/v1/providers' | jq -r '.providers[] | select(.id == \"sim-gamma\") | .breaker.state') == forced-open ]]"

check "a third instance C starts afterwards" start_instance c
check "C shows the outage actions within its first second of serving" within 1 shows_outage_actions c
check "and its events pane says where they came from" \
  bash -c "curl -s -N --max-time 5 '${url[c]}/v1/stream?max_events=1' | grep -q 'reconciled: provider sim-alpha tripped by .* (from Redis)'"

outputs="$(cat "${log[a]}" "${log[b]}" "${log[c]}"; curl -s "${url[a]}/readyz" "${url[a]}/v1/cache" "${url[a]}/metrics" "${url[b]}/readyz")"
check "the Redis password is in no log, /readyz, /v1/cache or /metrics" bash -c "! grep -q -- '$secret' <<<\"\$1\"" _ "$outputs"
