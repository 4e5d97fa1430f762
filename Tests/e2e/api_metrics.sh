#!/usr/bin/env bash
# After a scripted workload against `lianyaohu serve`, /metrics passes `promtool check metrics`
# and holds the metrics issue 6 names with sane values.
# Usage: Tests/e2e/api_metrics.sh PATH-TO-lianyaohu
set -uo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
# shellcheck source=lib/api-serve.bash
source "$(dirname "$0")/lib/api-serve.bash"
cd "$repo" || exit 2

need_promtool "$scratch" || { fail "FAIL cannot install promtool (from Debian package prometheus)"; exit 1; }

start_serve -- --seed 3 || exit 1
for _ in $(seq 25); do curl -s "$URL/v1/quotes/AAPL" >/dev/null; done
curl -s "$URL/v1/quotes?symbols=AAPL,MSFT,BTC-USD,%5EVIX,bad!" >/dev/null
curl -s "$URL/v1/quotes/ZZZZQ" >/dev/null
curl -s "$URL/v1/quotes/not%20valid" >/dev/null
curl -s --compressed "$URL/v1/immortals" >/dev/null
curl -s -X POST "$URL/v1/providers/sim-beta/trip" >/dev/null
curl -s -X DELETE "$URL/v1/cache/MSFT" >/dev/null
curl -s "$URL/v1/stream?max_events=2" >/dev/null
curl -s "$URL/metrics" >"$scratch/first.txt"
sleep 1.2
curl -s "$URL/metrics" >"$scratch/metrics.txt"

promtool check metrics <"$scratch/metrics.txt" >"$scratch/promtool.txt" 2>&1
status=$?
cat "$scratch/promtool.txt"
check "promtool check metrics passes" test "$status" -eq 0
check "promtool reports no lint problems" test ! -s "$scratch/promtool.txt"

python3 - "$scratch/metrics.txt" >"$scratch/values.txt" <<'PY'
import re, sys
samples = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    match = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', line.strip())
    if match:
        samples.setdefault(match.group(1), []).append((match.group(2) or "", float(match.group(3))))

def value(name, *labels):
    return sum(v for l, v in samples.get(name, []) if all(x in l for x in labels))

checks = {
    "route latency histogram counts the quote requests":
        value("lianyaohu_http_request_duration_seconds_count", 'route="/v1/quotes/{symbol}"', 'status="200"') >= 25,
    "requests counted per route and status":
        value("lianyaohu_http_requests_total", 'route="/v1/quotes/{symbol}"', 'status="404"') >= 1
        and value("lianyaohu_http_requests_total", 'route="/v1/quotes/{symbol}"', 'status="400"') >= 1,
    "in-flight HTTP requests gauge present": "lianyaohu_http_requests_in_flight" in samples,
    "upstream in-flight gauge present": "lianyaohu_upstream_in_flight" in samples,
    "upstream latency per provider": value("lianyaohu_upstream_latency_seconds_count", 'provider="sim-alpha"') > 0,
    "upstream requests per provider": value("lianyaohu_upstream_requests_total", 'provider="sim-alpha"') > 0,
    "upstream errors per provider and class": any('class="' in l for l, _ in samples.get("lianyaohu_upstream_errors_total", [])),
    "breaker state gauge: sim-beta forced open":
        value("lianyaohu_provider_breaker_state", 'provider="sim-beta"', 'state="forced-open"') == 1
        and value("lianyaohu_provider_breaker_state", 'provider="sim-beta"') == 1,
    "breaker state gauge: sim-alpha closed": value("lianyaohu_provider_breaker_state", 'provider="sim-alpha"', 'state="closed"') == 1,
    "cache hits and misses per tier": value("lianyaohu_cache_hits_total", 'tier="memory"') >= 20
        and value("lianyaohu_cache_misses_total", 'tier="memory"') >= 1,
    "cache evictions counter per tier present": "lianyaohu_cache_evictions_total" in samples
        or "lianyaohu_cache_entries" in samples,
    "cache hit ratio within 0..1": 0 < value("lianyaohu_cache_hit_ratio", 'tier="memory"') <= 1,
    # Hits are counted per tier (lianyaohu_cache_hits_total); the core counts misses and errors here.
    "quote reads by result": value("lianyaohu_quote_requests_total", 'result="miss"') >= 1,
    "process RSS between 1 MB and 4 GB": 1e6 < value("process_resident_memory_bytes") < 4e9,
    "process CPU seconds positive": value("process_cpu_seconds_total") > 0,
    "process start time recent": value("process_start_time_seconds") > 1.7e9,
}
for name, ok in checks.items():
    print(("ok" if ok else "FAIL") + "\t" + name)
PY
while IFS=$'\t' read -r result name; do
  check "$name" test "$result" = ok
done <"$scratch/values.txt"
stop_serve
check "serve exits 0 on SIGTERM" test "$serve_status" -eq 0
