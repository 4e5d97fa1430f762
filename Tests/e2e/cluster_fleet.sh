#!/usr/bin/env bash
# Issue 15's acceptance, "many instances as one", end to end: three `lianyaohu serve`
# instances share one redis-server, over TLS only (rediss://, a test CA made at run time,
# client certificates required) with a password, and one loopback OpenBB Platform that
# counts its calls (lib/counting_upstream.py), all on ports picked at run time.
#
#   Tests/e2e/cluster_fleet.sh PATH/TO/lianyaohu
#
# 1. A cluster-wide budget: the upstream allows 10 calls a minute and each instance's
#    config says requests_per_minute = 10. 300 concurrent requests for 300 cold symbols,
#    spread over the three instances, never make it see more than 10 calls in a rolling
#    minute; every answer is a quote from openbb or a rate-limit refusal.
# 2. A cluster-wide single flight: 150 concurrent requests for one cold symbol over the
#    three instances make one upstream call; when the instance holding the symbol's lease
#    (lianyaohu:flight:v1:quote:SYM) is killed mid-call, the others fetch once more after
#    the lease ([cache.redis] flight_lease_ms) expires, and all of their requests succeed.
# 3. TLS refused: an instance that trusts another CA shows the Redis tier down with the
#    reason and stays ready.
#
# Builds nothing; about 20 s. Exits non-zero on any failure; the last line is
# "N passed, M failed".
set -u
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
# shellcheck source=lib/api-serve.bash
source "$(dirname "$0")/lib/api-serve.bash"
need_apt redis-server redis-server || { echo "redis-server is required" >&2; exit 2; }
need_apt jq jq || exit 2

started=$SECONDS
fixtures="$repo/Tests/MarketProvidersTests/Fixtures"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Redis over TLS only (rediss://), with a password that must show nowhere (so it is never
# echoed here either) and client certificates required: a test CA made now signs the
# server's certificate (for 127.0.0.1 and localhost) and the instances' client certificate.
need_apt openssl openssl || exit 2
tls="$scratch/tls"
mkdir -p "$tls"
make_certificate() { # make_certificate NAME SUBJECT-ALT-NAMES: NAME.crt and NAME.key signed by ca.crt
  openssl req -newkey rsa:2048 -nodes -keyout "$tls/$1.key" -out "$tls/$1.csr" -subj "/CN=$1" 2>/dev/null &&
    openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
      -out "$tls/$1.crt" -extfile <(printf 'subjectAltName=%s\n' "$2") 2>/dev/null
}
{
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.crt" -days 2 -subj "/CN=e2e test CA" &&
    make_certificate server "DNS:localhost,IP:127.0.0.1" && make_certificate client "DNS:lianyaohu" &&
    # Another CA, which signed nothing here: trusting it must fail the handshake.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/other-ca.key" -out "$tls/other-ca.crt" -days 2 \
      -subj "/CN=some other CA"
} 2>/dev/null || { fail "FAIL cannot make the test CA and certificates with openssl"; exit 1; }
secret="e2e-redis-secret-$RANDOM$RANDOM"
redis_port=$(free_port)
redis-server --port 0 --tls-port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --requirepass "$secret" \
  --tls-cert-file "$tls/server.crt" --tls-key-file "$tls/server.key" --tls-ca-cert-file "$tls/ca.crt" \
  --tls-auth-clients yes --daemonize no >"$scratch/redis.log" 2>&1 &
redis_pid=$!
on_exit "kill $redis_pid 2>/dev/null"
rcli() {
  redis-cli --tls --cacert "$tls/ca.crt" --cert "$tls/client.crt" --key "$tls/client.key" -p "$redis_port" \
    -a "$secret" --no-auth-warning "$@"
}
for _ in $(seq 100); do rcli ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
rcli ping 2>/dev/null | grep -q PONG || { fail "FAIL redis-server did not start"; cat "$scratch/redis.log"; exit 1; }

# The counting upstream: start_upstream LIMIT starts a fresh one (own port, own log, so each
# scenario counts only its own calls); upstream_url and upstream_log name it.
upstream_pid=""
upstream_url=""
upstream_log=""
stop_upstream() {
  [[ -n "$upstream_pid" ]] || return 0
  kill "$upstream_pid" 2>/dev/null
  wait "$upstream_pid" 2>/dev/null
  upstream_pid=""
}
on_exit stop_upstream
start_upstream() {
  local limit=$1 port_file="$scratch/upstream-$RANDOM.port"
  stop_upstream
  upstream_log="$scratch/upstream-$RANDOM.log"
  : >"$upstream_log"
  python3 "$(dirname "$0")/lib/counting_upstream.py" "$fixtures" "$port_file" "$upstream_log" "$limit" 3 \
    2>>"$scratch/upstream.err" &
  upstream_pid=$!
  for _ in $(seq 100); do
    [[ -s "$port_file" ]] && break
    kill -0 "$upstream_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -s "$port_file" ]] || { cat "$scratch/upstream.err" >&2; return 1; }
  upstream_url="http://127.0.0.1:$(cat "$port_file")"
}
# calls [SYMBOL]: how many calls the upstream has had (for SYMBOL: that asked for it).
calls() {
  if [[ -n "${1:-}" ]]; then
    awk -v symbol="$1" '{ n += index("," $3 ",", "," symbol ",") > 0 } END { print n + 0 }' "$upstream_log"
  else
    awk 'END { print NR + 0 }' "$upstream_log"
  fi
}
# busiest_minute: the most calls the upstream had in any rolling 60 s (each call starts one).
busiest_minute() {
  python3 -c '
import sys
times = sorted(float(line.split()[0]) for line in open(sys.argv[1]) if line.strip())
print(max((sum(1 for u in times if t <= u < t + 60) for t in times), default=0))' "$upstream_log"
}

# write_config FILE [EXTRA-OPENBB-LINE] [EXTRA-TOML]: a config with OpenBB as the only
# provider. Empty watchlists (without a [watchlists.*] table the eight immortals get their
# default symbols, and the first refresh pass would spend the budget) and no prefetch (a
# symbol read three times would join the background refresh and call again), so every
# upstream call is one a request below caused.
# write_config FILE [OPENBB-LINES] [REDIS-LINES] [CA-FILE]: Redis over TLS with the test CA
# (or CA-FILE) and the client certificate.
write_config() {
  local file=$1 openbb_extra=${2:-} extra=${3:-} ca=${4:-$tls/ca.crt}
  {
    printf '[cache.prefetch]\nenabled = false\n\n'
    printf '[cache.redis]\ntls_ca_file = "%s"\ntls_cert_file = "%s"\ntls_key_file = "%s"\n' \
      "$ca" "$tls/client.crt" "$tls/client.key"
    [[ -n "$extra" ]] && printf '%s\n' "$extra"
    printf '\n'
    printf '[providers.openbb]\nkind = "openbb"\nbase_url = "%s"\nbackend = "fmp"\n' "$upstream_url"
    [[ -n "$openbb_extra" ]] && printf '%s\n' "$openbb_extra"
    printf '\n'
    for immortal in lu-dongbin he-xiangu zhang-guolao han-xiangzi han-zhongli lan-caihe cao-guojiu li-tieguai; do
      printf '[watchlists.%s]\nsymbols = []\n\n' "$immortal"
    done
  } >"$file"
}

# The instances a, b and c: each its own XDG directories (so its own SQLite file) and log,
# the same Redis and config; --refresh-interval 3600 so no refresh comes between the checks.
names=(a b c)
declare -A url pid log
# start_instance NAME CONFIG: fails (showing the log) when it is not listening within 30 s.
start_instance() {
  local name=$1 config=$2 home="$scratch/instance-$1-$RANDOM"
  mkdir -p "$home"
  log[$name]="$home/serve.log"
  url[$name]=""
  env XDG_DATA_HOME="$home" XDG_CONFIG_HOME="$home" XDG_STATE_HOME="$home" XDG_CACHE_HOME="$home" \
    LIANYAOHU_REDIS_URL="rediss://:$secret@127.0.0.1:$redis_port/0" \
    "$binary" serve --port 0 --config "$config" --refresh-interval 3600 2>"${log[$name]}" &
  pid[$name]=$!
  for _ in $(seq 300); do
    url[$name]=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "${log[$name]}" 2>/dev/null | head -1 | sed 's/listening on //')
    [[ -n "${url[$name]}" ]] && return 0
    kill -0 "${pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "  instance $name did not start; its log:" >&2
  sed 's/^/  | /' "${log[$name]}" >&2
  return 1
}
# The logs of stopped instances are kept for the password check at the end.
logs_seen="$scratch/all-logs.txt"
: >"$logs_seen"
stop_instances() {
  local name
  for name in "${names[@]}"; do [[ -n "${pid[$name]:-}" ]] && kill -TERM "${pid[$name]}" 2>/dev/null; done
  for name in "${names[@]}"; do
    [[ -n "${pid[$name]:-}" ]] && wait "${pid[$name]}" 2>/dev/null
    pid[$name]=""
    [[ -n "${log[$name]:-}" ]] && cat "${log[$name]}" >>"$logs_seen"
  done
}
on_exit stop_instances
# start_fleet CONFIG: all three, each a check.
start_fleet() {
  local name
  for name in "${names[@]}"; do
    check "instance $name starts with the shared Redis and $(basename "$1")" start_instance "$name" "$1"
  done
  for name in "${names[@]}"; do [[ -n "${url[$name]}" ]] || return 1; done
}

# ask URL SYMBOL DIRECTORY: GET /v1/quotes/SYMBOL, "STATUS BODY" (one line) kept in a file
# of its own in DIRECTORY (one per request, so parallel requests never share a write). For
# xargs; a request that got no answer is "000".
ask() {
  local out body
  out=$(mktemp "$3/$2-XXXXXX")
  body=$(curl -s --max-time 30 -w '\n%{http_code}' "$1/v1/quotes/$2")
  printf '%s %s\n' "${body##*$'\n'}" "$(tr -d '\n' <<<"${body%$'\n'*}")" >"$out"
}
export -f ask

# ---------------------------------------------------------------------------------------
# Scenario 1: one budget for the fleet.
echo "== scenario 1: a cluster-wide budget (10 calls a minute, 300 cold symbols over 3 instances)"
start_upstream 10 || { fail "FAIL the counting upstream did not start"; exit 1; }
budget_config="$scratch/budget.toml"
# burst = 10: each instance's own token bucket would let all 10 go at once (the default burst
# is a second's worth, 1), so alone the three would spend 30; only the count in Redis keeps
# the fleet at 10.
write_config "$budget_config" $'requests_per_minute = 10\nburst = 10'
start_fleet "$budget_config" || exit 1

answers="$scratch/budget-answers"
mkdir -p "$answers"
for i in $(seq 1 300); do
  printf '%s C%03d\n' "${url[${names[i % 3]}]}" "$i"
done | xargs -P 16 -n 2 bash -c 'ask "$0" "$1" "'"$answers"'"'
cat "$answers"/* >"$scratch/budget-answers.txt"

answered=$(wc -l <"$scratch/budget-answers.txt")
ok=$(grep -c '^200 .*"source":"openbb"' "$scratch/budget-answers.txt")
# A refusal by the budget: the router skips openbb as rate limited before asking it, so the
# read is held back by rate limits alone: 429 rate_limited, "openbb rate limited for N s" (a
# refusal the upstream itself sent would be 429 too, "openbb: rate_limited").
refused=$(grep -cE '^429 \{"error":\{"class":"rate_limited","message":"no provider available for C[0-9]+: openbb rate limited( for [0-9]+ s)?"\}\}$' \
  "$scratch/budget-answers.txt")
relayed=$(grep -cE '^429 .*"class":"rate_limited".*openbb: rate_limited' "$scratch/budget-answers.txt")
others=$((answered - ok - refused - relayed))
check "all 300 requests were answered ($answered)" test "$answered" -eq 300
check "each answer is an openbb quote or a rate-limit refusal ($ok quotes, $refused refused by the budget, $relayed relayed 429s, $others other)" \
  test "$others" -eq 0
if ((others > 0)); then
  grep -vE '^200 .*"source":"openbb"|^429 .*"class":"rate_limited".*openbb:? rate.limited' \
    "$scratch/budget-answers.txt" | sort | uniq -c | sort -rn | head -5 | cut -c1-300 | sed 's/^/  | /'
fi
check "between 1 and 10 were quotes ($ok)" test "$ok" -ge 1 -a "$ok" -le 10
# (counting_upstream.py's price(): each symbol has its own.)
check "each quote's price is the upstream's for its symbol" python3 -c '
import sys, json, zlib
for line in open(sys.argv[1]):
    status, _, body = line.partition(" ")
    if status != "200":
        continue
    quote = json.loads(body)
    want = round(10 + (zlib.crc32(quote["symbol"].encode()) % 99000) / 100, 2)
    if abs(quote["price"] - want) > 1e-9:
        sys.exit("%s: %s != %s" % (quote["symbol"], quote["price"], want))' "$scratch/budget-answers.txt"
check "the upstream saw at most 10 calls in any rolling 60 s ($(busiest_minute))" test "$(busiest_minute)" -le 10
check "and at most 10 calls in all: refused symbols were not asked again ($(calls) calls)" test "$(calls)" -le 10
check "it never had to refuse one itself ($(grep -c ' 502 ' "$upstream_log") refused)" \
  test "$(grep -c ' 502 ' "$upstream_log")" -eq 0
check "the budget's minute is a sorted set in Redis with the calls counted ($(rcli zcard lianyaohu:v1:budget:openbb:minute))" \
  test "$(rcli zcard lianyaohu:v1:budget:openbb:minute)" -ge "$(calls)"
# One more cold symbol while the minute is spent: refused with how long to wait.
retry_after=$(curl -s --max-time 30 -o /dev/null -D - "${url[a]}/v1/quotes/C999" | tr -d '\r' |
  awk -F': ' 'tolower($1) == "retry-after" { print $2 }')
check "a refusal says when to retry: Retry-After ${retry_after:-absent} s, within the minute" \
  test "${retry_after:-0}" -ge 1 -a "${retry_after:-0}" -le 60
# cluster_budget JSON: a budget counted in Redis with all three instances live.
cluster_budget() { jq -e '.scope == "cluster" and .instances == 3 and .reason == null and (.summary | length > 0)' <<<"$1" >/dev/null; }
for name in "${names[@]}"; do
  budget=$(curl -s --max-time 10 "${url[$name]}/v1/providers" | jq -c '.providers[] | select(.id == "openbb") | .budget')
  check "/v1/providers on $name: openbb's budget is the cluster's, 3 live instances: $budget" cluster_budget "$budget"
done
echo "   ($ok quotes, $refused refused; $(calls) upstream calls; $((SECONDS - started)) s so far)"
grep -m1 '^429 ' "$scratch/budget-answers.txt" | sed 's/^/   a refusal: /'
stop_instances

# ---------------------------------------------------------------------------------------
# Scenario 2: one flight for the fleet. A fresh upstream without a limit and no
# requests_per_minute: with a budget, calls beyond it would be refused whatever the flight
# did, and "exactly one call" could pass for the wrong reason (or fail for it).
echo "== scenario 2: a cluster-wide single flight"
start_upstream 0 || { fail "FAIL the counting upstream did not start"; exit 1; }

# (a) 50 concurrent requests on each instance for one cold symbol: one upstream call. The
# default lease (5000 ms), so this part runs on any binary and shows what it does.
flight_config="$scratch/flight.toml"
write_config "$flight_config"
if start_fleet "$flight_config"; then
  answers="$scratch/hot-answers"
  mkdir -p "$answers"
  requesters=()
  for name in "${names[@]}"; do
    for _ in $(seq 50); do printf '%s HOT1\n' "${url[$name]}"; done |
      xargs -P 50 -n 2 bash -c 'ask "$0" "$1" "'"$answers"'"' &
    requesters+=($!)
  done
  wait "${requesters[@]}"
  cat "$answers"/* >"$scratch/hot-answers.txt"
  check "HOT1: all 150 answered 200 ($(grep -c '^200 ' "$scratch/hot-answers.txt"))" \
    test "$(grep -c '^200 .*"source":"openbb"' "$scratch/hot-answers.txt")" -eq 150
  prices=$(grep '^200 ' "$scratch/hot-answers.txt" | cut -d' ' -f2- | jq -r .price | sort -u | tr '\n' ' ')
  check "HOT1: all with the same price ($prices)" test "$(wc -w <<<"$prices")" -eq 1
  check "HOT1: the upstream was asked exactly once for it, by the whole fleet ($(calls HOT1) calls)" \
    test "$(calls HOT1)" -eq 1
  # How each instance's flight went (led, joined, took_over, alone): the reason when not once.
  for name in "${names[@]}"; do
    echo "   $name: $(curl -s --max-time 10 "${url[$name]}/metrics" | grep '^lianyaohu_cluster_flights_total' |
      sed 's/lianyaohu_cluster_flights_total{outcome="\([a-z_]*\)"} /\1=/' | tr '\n' ' ')"
  done
  stop_instances
fi

# (b) The lease holder dies mid-call. A lease of 4 s (shorter than the default, so the run
# is short, and longer than the upstream's 3 s for SLOW*, so a live holder never loses it).
lease_config="$scratch/flight-lease.toml"
write_config "$lease_config" "" 'flight_lease_ms = 4000'
holder_dies() {
  local answers="$scratch/slow-answers" lease_key=lianyaohu:flight:v1:quote:SLOW1 holder="" holder_pid lease_ttl
  local victim="" name requesters=() survivors=()
  for name in "${names[@]}"; do
    mkdir -p "$answers/$name"
    for _ in $(seq 10); do printf '%s SLOW1\n' "${url[$name]}"; done |
      xargs -P 10 -n 2 bash -c 'ask "$0" "$1" "'"$answers/$name"'"' &
    requesters+=($!)
  done
  # The holder is the instance whose id (host-pid-tag, the cluster bus's id; the host may
  # have dashes, the pid and tag have none) the lease names.
  for _ in $(seq 100); do
    holder=$(rcli get "$lease_key")
    [[ -n "$holder" ]] && break
    sleep 0.05
  done
  lease_ttl=$(rcli pttl "$lease_key")
  holder_pid=$(awk -F- 'NF >= 3 { print $(NF - 1) }' <<<"$holder")
  for name in "${names[@]}"; do [[ -n "$holder_pid" && "${pid[$name]}" == "$holder_pid" ]] && victim=$name; done
  check "SLOW1: a lease appears in Redis while the first call is out (holder '$holder')" test -n "$holder"
  check "SLOW1: it expires within flight_lease_ms (PTTL $lease_ttl ms, 0 < PTTL <= 4000)" \
    test "${lease_ttl:-0}" -gt 0 -a "${lease_ttl:-0}" -le 4000
  check "SLOW1: it names one of the three instances by pid (${victim:-none})" test -n "$victim"
  if [[ -n "$victim" ]]; then
    # Killed mid-call: once its call reached the upstream (which answers SLOW* after 3 s), so
    # the dead holder's call is one of the two counted below.
    for _ in $(seq 60); do (($(calls SLOW1) > 0)) && break; sleep 0.05; done
    kill -KILL "${pid[$victim]}"
    wait "${pid[$victim]}" 2>/dev/null
    cat "${log[$victim]}" >>"$logs_seen"
    pid[$victim]=""
  fi
  wait "${requesters[@]}"
  for name in "${names[@]}"; do [[ "$name" != "$victim" ]] && survivors+=("$name"); done
  for name in "${survivors[@]}"; do
    cat "$answers/$name"/* >"$scratch/slow-$name.txt"
    check "SLOW1: all 10 requests to $name (a survivor) answered 200 ($(grep -c '^200 ' "$scratch/slow-$name.txt"))" \
      test "$(grep -c '^200 .*"source":"openbb"' "$scratch/slow-$name.txt")" -eq 10
  done
  check "SLOW1: the upstream was asked exactly twice: the dead holder, then one survivor after the lease expired ($(calls SLOW1) calls)" \
    test "$(calls SLOW1)" -eq 2
}
if start_fleet "$lease_config"; then
  holder_dies
else
  fail "FAIL SLOW1: not run: serve refused the config with [cache.redis] flight_lease_ms (a binary without the cluster-wide single flight)"
fi
stop_instances

# ---------------------------------------------------------------------------------------
# TLS refused: an instance that trusts another CA cannot verify the server. It says so, shows
# the tier down and stays ready (it serves from memory and the provider).
echo "== TLS with the wrong CA"
wrong_ca_config="$scratch/wrong-ca.toml"
write_config "$wrong_ca_config" "" "" "$tls/other-ca.crt"
redis_tier() { curl -s --max-time 10 "${url[$1]}/readyz" | jq -c '{ready, redis: (.tiers[] | select(.tier == "redis"))}'; }
tier_refused() { [[ "$(redis_tier "$1" | jq -r '.ready == true and .redis.up == false')" == true ]]; }
names=(d)
if start_instance d "$wrong_ca_config"; then
  for _ in $(seq 100); do tier_refused d && break; sleep 0.1; done
  check "the instance is ready with the Redis tier down: $(redis_tier d)" tier_refused d
  check "the reason is the certificate: $(redis_tier d | jq -r .redis.reason)" \
    bash -c '[[ "$1" == "TLS handshake failed: certificate verify failed" ]]' _ "$(redis_tier d | jq -r .redis.reason)"
  check "and it still answers quotes from the provider: $(curl -s -o /dev/null -w '%{http_code}' "${url[d]}/v1/quotes/TLS1")" \
    test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${url[d]}/v1/quotes/TLS1")" -eq 200
else
  fail "FAIL an instance with the wrong CA did not start"
fi
stop_instances

check "the Redis password is in no instance's log" bash -c '! grep -qF -- "$1" "$2"' _ "$secret" "$logs_seen"
echo "   ($((SECONDS - started)) s)"
