#!/usr/bin/env bash
# Issue 14's acceptance, end to end: `lianyaohu quote SYMBOL --provider NAME` prints the
# right class for each error shape every real adapter classifies, and a rate limit relayed
# by OpenBB leaves OpenBB's breaker closed (where the same number of relayed outages opens it).
#
#   Tests/e2e/provider_errors.sh PATH/TO/lianyaohu
#
# One loopback server (lib/provider_upstream.py, Python standard library) answers every
# provider's real request paths with the bodies in Tests/MarketProvidersTests/Fixtures/ under
# the status they come with (MANIFEST.md, docs/PROVIDERS.md); the symbol asked picks the
# shape. A config points one [providers.NAME] table of each kind at it, with fake keys that
# must never show in anything the binary prints. Builds nothing; about 20 s. Exits non-zero on
# any failure; the last line is "N passed, M failed".
set -euo pipefail
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
# shellcheck source=lib/api-serve.bash
source "$(dirname "$0")/lib/api-serve.bash"

fixtures="$repo/Tests/MarketProvidersTests/Fixtures"
# Fake secrets: each must reach the loopback upstream and never the binary's output.
export E2E_PROVIDER_KEY="test-key-not-secret" E2E_YAHOO_CRUMB="test-crumb-not-secret" \
  E2E_YAHOO_COOKIE="A3=test-cookie-not-secret"
secrets=("$E2E_PROVIDER_KEY" "$E2E_YAHOO_CRUMB" "test-cookie-not-secret")

# The upstream: a port the kernel picks, written to a file once it listens.
upstream_log="$scratch/upstream.log"
: >"$upstream_log"
python3 "$(dirname "$0")/lib/provider_upstream.py" "$fixtures" "$scratch/upstream.port" "$upstream_log" \
  2>"$scratch/upstream.err" &
upstream_pid=$!
on_exit "kill $upstream_pid 2>/dev/null || true"
for _ in $(seq 100); do
  [[ -s "$scratch/upstream.port" ]] && break
  kill -0 "$upstream_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ ! -s "$scratch/upstream.port" ]]; then
  fail "FAIL the loopback upstream did not start"
  cat "$scratch/upstream.err"
  exit 1
fi
origin="http://127.0.0.1:$(cat "$scratch/upstream.port")"

# One table per real adapter kind (two for Yahoo: keyless v8 chart, v7 quote with a session).
# Polygon's 5 calls a minute and the others' daily quotas are per process; raised anyway so
# no check depends on them.
config="$scratch/providers.toml"
{
  printf '[providers.openbb]\nkind = "openbb"\nbase_url = "%s"\nbackend = "fmp"\n\n' "$origin"
  for kind in polygon alpha-vantage fmp finnhub; do
    printf '[providers.%s]\nkind = "%s"\nbase_url = "%s"\napi_key_env = "E2E_PROVIDER_KEY"\n' "$kind" "$kind" "$origin"
    printf 'requests_per_minute = 600\ndaily_quota = 10000\n\n'
  done
  printf '[providers.yahoo]\nkind = "yahoo"\nbase_url = "%s"\n\n' "$origin"
  printf '[providers.yahoo-v7]\nkind = "yahoo"\nbase_url = "%s"\n' "$origin"
  printf 'crumb_env = "E2E_YAHOO_CRUMB"\ncookie_env = "E2E_YAHOO_COOKIE"\n\n'
  for kind in stooq cboe tmx; do
    printf '[providers.%s]\nkind = "%s"\nbase_url = "%s"\n\n' "$kind" "$kind" "$origin"
  done
} >"$config"

# Everything the binary printed, for the secret check at the end.
printed="$scratch/printed.txt"
: >"$printed"

# How `quote` names each class on standard error: the class itself when the core's answer
# is the class (unknown_symbol), rate_limited when the provider only said it was rate limited
# or out of quota, else the core's upstream_failed; then the provider's own error in words
# (ProviderError.description), one wording per class.
# shellcheck disable=SC2001 # every character of a class escaped: sed's &, not ${//}
ere() { sed 's/[]^$.*+?(){}|[\\]/\\&/g' <<<"$1"; } # ere TEXT: TEXT as an ERE that matches it literally

words() { # words CLASS NAME SYMBOL [ARG]: the ERE the failure line must match
  local class=$1 name=$2 symbol=$3 arg=${4:-} s
  s=$(ere "$symbol")
  local failed="^$s: upstream_failed: every provider failed for $s: $name: $class: "
  # A provider held back only by its limits makes the whole read rate_limited.
  local limited="^$s: rate_limited: every provider failed for $s: $name: $class: "
  case $class in
    unknown_symbol) echo "^$s: unknown_symbol: unknown symbol $s\$" ;;
    rate_limited) echo "${limited}rate limited(, retry after [0-9]+ s)?\$" ;;
    quota_exhausted) echo "${limited}quota exhausted\$" ;;
    unauthorized) echo "${failed}unauthorized \\(check the API key\\)\$" ;;
    unsupported_symbol) echo "${failed}$s is not served by this provider\$" ;;
    upstream_status) echo "${failed}upstream returned HTTP $arg\$" ;;
    malformed_body) echo "${failed}malformed body: " ;;
    *) echo "no wording for class $class" >&2; return 1 ;;
  esac
}

# asked ROUTE SYMBOL: how many requests the upstream has had for SYMBOL on ROUTE (a provider).
asked() { awk -v route="$1" -v symbol="$2" '$1 == route && $2 == symbol { n++ } END { print n + 0 }' "$upstream_log"; }

# expect NAME SYMBOL UPSTREAM-SYMBOL CLASS [ARG]: runs `quote SYMBOL --provider NAME` and
# checks its status (0 for ok, else 1), its line (for ok: the price ARG from NAME; else the
# class's words), and that this run asked the upstream for UPSTREAM-SYMBOL on NAME's route
# (so the class came from the answer, not from a refusal up front).
expect() {
  local name=$1 symbol=$2 asked=$3 class=$4 arg=${5:-} output status=0 pattern want=1 route=$1 before calls
  before=$(asked "$route" "$asked")
  output=$(timeout 30 "$binary" quote "$symbol" --provider "$name" --config "$config" </dev/null 2>&1) || status=$?
  printf '%s\n' "$output" >>"$printed"
  if [[ $class == ok ]]; then
    want=0
    pattern="^$(ere "$symbol") +$(if [[ -n $arg ]]; then ere "$arg"; else echo '[0-9][0-9.,]*'; fi)  .*from $name  age "
  else
    pattern=$(words "$class" "$name" "$symbol" "$arg")
  fi
  calls=$(($(asked "$route" "$asked") - before))
  local label="$name $symbol -> ${class}${arg:+ $arg}"
  if [[ $status == "$want" ]] && grep -qE -- "$pattern" <<<"$output" && ((calls > 0)); then
    pass "ok   $label"
  else
    fail "FAIL $label (exit $status, expected $want and /$pattern/; the upstream was asked for $asked $calls times)"
    head -c 600 <<<"$output" | sed 's/^/  | /'
  fi
}

# Provider × shape → class. Columns: provider table, symbol, what the upstream is asked,
# class (ok: a quote at that price), and the shape's fixture and status as served.
while read -r name symbol asked class arg _; do
  [[ -z "$name" || $name == \#* ]] && continue
  [[ $arg == - ]] && arg=""
  expect "$name" "$symbol" "$asked" "$class" "$arg"
done <<'TABLE'
# OpenBB (backend fmp): openbb-api relays its backend's failure in `detail`
openbb   AAPL   AAPL   ok                  256.08  # 200 openbb/quote_AAPL_fmp.json
openbb   RATEL  RATEL  rate_limited        -       # 502 openbb/error_502_fmp_rate_limit_relayed.json ("Status code: 429")
openbb   RATEB  RATEB  rate_limited        -       # 400 openbb/error_400_fmp_rate_limit_relayed.json ("Unauthorized … Limit Reach")
openbb   NOKEY  NOKEY  unauthorized        -       # 400 openbb/error_400_missing_credential.json
openbb   BADKEY BADKEY unauthorized        -       # 400 synthetic/openbb_400_backend_unauthorized.json
openbb   LOGIN  LOGIN  unauthorized        -       # 401 synthetic/openbb_401_incorrect_credentials.json
openbb   PLAN   PLAN   unsupported_symbol  -       # 400 openbb/error_400_polygon_not_entitled.json
openbb   NORES  NORES  unknown_symbol      -       # 400 openbb/error_400_no_results.json
openbb   EMPTY  EMPTY  unknown_symbol      -       # 204, no body (EmptyDataError)
openbb   BADP   BADP   upstream_status     422     # 422 openbb/error_422_symbol_pattern.json (list detail)
openbb   DOWN   DOWN   upstream_status     503     # 400 openbb/error_400_upstream_503_relayed.json
openbb   PROXY  PROXY  upstream_status     502     # 502 openbb/error_502_proxy_nginx.html
openbb   OOPS   OOPS   upstream_status     500     # 500 synthetic/openbb_500_unexpected_error.json
# Polygon: /v2/aggs/ticker/{T}/prev
polygon  AAPL   AAPL   ok                  130.15  # 200 synthetic/polygon_prev_close_AAPL_2023-01-09.json
polygon  ^GSPC  I:SPX  unsupported_symbol  -       # 403 polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json
polygon  BADKEY BADKEY unauthorized        -       # 401 synthetic/polygon_401_unknown_api_key.json
polygon  BADKEYB BADKEYB unauthorized      -       # 400 the same body
polygon  NOKEY  NOKEY  unauthorized        -       # 401 polygon/error_401_api_key_not_provided.json
polygon  RATEL  RATEL  rate_limited        -       # 429 synthetic/polygon_429_max_requests.json
polygon  ZZZZQ  ZZZZQ  unknown_symbol      -       # 200 synthetic/polygon_prev_close_unknown_ticker.json
polygon  ECHO   ECHO   malformed_body      -       # 200 an HTML page echoing the request, key included
# Alpha Vantage: every answer is HTTP 200
alpha-vantage MSFT    MSFT    ok                 112.13 # alpha_vantage/global_quote_MSFT_2018-10-05.json
alpha-vantage BTC-CNY BTC/CNY ok                 -      # alpha_vantage/currency_exchange_rate_BTC_CNY_2017-12-20.json
alpha-vantage RATEL   RATEL   rate_limited       -      # alpha_vantage/error_note_rate_limit_2018.json (Note)
alpha-vantage BURST   BURST   rate_limited       -      # alpha_vantage/information_burst_per_second.json
alpha-vantage DAILY   DAILY   quota_exhausted    -      # synthetic/alpha_vantage_information_daily_limit.json
alpha-vantage BADCALL BADCALL unknown_symbol     -      # synthetic/alpha_vantage_error_message_invalid_call.json
alpha-vantage XYZ-USD XYZ/USD unknown_symbol     -      # alpha_vantage/error_message_invalid_call_currency.json
alpha-vantage BADKEY  BADKEY  unauthorized       -      # synthetic/alpha_vantage_error_message_invalid_apikey.json
alpha-vantage DEMO    DEMO    unauthorized       -      # alpha_vantage/information_demo_key.json
alpha-vantage PREM    PREM    unsupported_symbol -      # alpha_vantage/information_premium_endpoint.json
alpha-vantage ZZZZ    ZZZZ    unknown_symbol     -      # synthetic/alpha_vantage_global_quote_unknown_symbol.json
alpha-vantage ECHO    ECHO    malformed_body     -      # an HTML page echoing the request, key included
# FMP: /stable/quote
fmp      AAPL   AAPL   ok                  256.08  # 200 fmp/quote_stable_AAPL_2025-09-23T0308Z.json
fmp      RATEL  RATEL  rate_limited        -       # 429 fmp/error_429_limit_reach.json ("Limit Reach .")
fmp      LEGACY LEGACY unauthorized        -       # 403 fmp/error_403_legacy_endpoint.json
fmp      EXCL   EXCL   unsupported_symbol  -       # 403 fmp/error_403_exclusive_endpoint.json
fmp      BADKEY BADKEY unauthorized        -       # 401 synthetic/fmp_401_invalid_api_key.json
fmp      0700.HK 0700.HK unsupported_symbol -      # 402 synthetic/fmp_402_premium_symbol.json
fmp      ZZZZ   ZZZZ   unknown_symbol      -       # 200 synthetic/fmp_quote_unknown_symbol_empty.json ([])
fmp      ECHO   ECHO   malformed_body      -       # 200 an HTML page echoing the request, key included
# Finnhub: /api/v1/quote, token in a header
finnhub  AAPL   AAPL   ok                  171.21  # 200 finnhub/quote_AAPL_2023-09-29.json
finnhub  DENIED DENIED unsupported_symbol  -       # 403 finnhub/error_403_no_access.json
finnhub  NOSUP  NOSUP  unsupported_symbol  -       # 200 finnhub/error_symbol_not_supported.json
finnhub  RATEL  RATEL  rate_limited        -       # 429 finnhub/error_429_try_again_later.txt
finnhub  SIGNUP SIGNUP unauthorized        -       # 429 finnhub/error_429_api_limit_reached.txt (no token)
finnhub  BADKEY BADKEY unauthorized        -       # 401 synthetic/finnhub_401_invalid_api_key.json
finnhub  ZZZZ   ZZZZ   unknown_symbol      -       # 200 synthetic/finnhub_quote_unknown_symbol_all_zero.json
finnhub  ECHO   ECHO   malformed_body      -       # 200 an HTML page echoing the request, token included
# Yahoo without a session: /v8/finance/chart/{SYM}
yahoo    AAPL   AAPL   ok                  244.47  # 200 yfinance/v8_chart_AAPL_range1d_2025-02-19.json
yahoo    ZZZZ   ZZZZ   unknown_symbol      -       # 404 synthetic/yahoo_v8_chart_404_not_found.json
yahoo    RATEL  RATEL  rate_limited        -       # 429 yfinance/error_429_too_many_requests.txt
yahoo    ^RUT   ^RUT   rate_limited        -       # 429 yfinance/error_429_getcrumb_edge_too_many_requests.txt
yahoo    CRUMB  CRUMB  unauthorized        -       # 401 yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json
yahoo    EDGE   EDGE   upstream_status     404     # 404 yfinance/error_404_fc_yahoo_com_cookie_bootstrap.html
# Yahoo with a session: /v7/finance/quote
yahoo-v7 AAPL   AAPL   ok                  271.92  # 200 yfinance/v7_quote_AAPL_2025-12-22.json
yahoo-v7 ZZZZ   ZZZZ   unknown_symbol      -       # 200 yfinance/v7_quote_empty_result.json
yahoo-v7 CRUMB  CRUMB  unauthorized        -       # 401 yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json
yahoo-v7 ECHO   ECHO   malformed_body      -       # 200 an HTML page echoing the request, crumb and cookie included
# Stooq: /q/l/ CSV, keyless
stooq    AAPL   aapl.us ok                 142.16  # 200 stooq/quote_AAPL.US_2022-12-09.csv
stooq    APPL   appl.us unknown_symbol     -       # 200 stooq/quote_unknown_symbol_N-D.csv
stooq    HITS   hits.us quota_exhausted    -       # 200 stooq/error_daily_hits_limit.txt
stooq    PAGE   page.us malformed_body     -       # 200 stooq/html_200_page.html
stooq    DOWN   down.us upstream_status    503     # 503 plain text
# Cboe: delayed quotes, keyless
cboe     AAPL   AAPL   ok                  194.78  # 200 cboe/delayed_quote_AAPL_2023-12-18.json
cboe     ZZZZ   ZZZZ   unknown_symbol      -       # 403 cboe/error_403_access_denied.xml
cboe     GONE   GONE   unknown_symbol      -       # 404 cboe/error_404_not_found.html
cboe     BLOCK  BLOCK  upstream_status     403     # 403 cboe/error_403_cloudfront_blocked.html
cboe     RATEL  RATEL  rate_limited        -       # 429 plain text
cboe     DOWN   DOWN   upstream_status     503     # 503 plain text
# TMX: POST /graphql, keyless
tmx      SHOP.TO  SHOP  ok                 103.48  # 200 tmx/graphql_getQuoteBySymbol_SHOP_2023-12-27.json
tmx      ZZZZ.TO  ZZZZ  unknown_symbol     -       # 200 tmx/graphql_getQuoteBySymbol_null.json
tmx      RATEL.TO RATEL rate_limited       -       # 200 tmx/graphql_errors_rate_limited.json
tmx      VALID.TO VALID upstream_status    400     # 200 tmx/graphql_errors_validation.json
tmx      OOPS.TO  OOPS  upstream_status    500     # 200 tmx/graphql_errors_internal.json
tmx      EDGE.TO  EDGE  rate_limited       -       # 429 an edge page
tmx      WALL.TO  WALL  unauthorized       -       # 403 an edge page (bot wall)
TABLE

# OpenBB's breaker, through `serve` (a one-shot quote keeps no breaker): more relayed rate
# limits than the breaker's minimum number of calls leave it closed; as many relayed outages
# open it. A small window so a few calls decide; no watchlists and no prefetch (a symbol read
# three times would join the background refresh), so nothing but these requests reaches the
# upstream.
serve_config="$scratch/serve.toml"
{
  printf '[cache]\ntiers = ["memory"]\n\n[cache.prefetch]\nenabled = false\n\n'
  printf '[providers.openbb]\nkind = "openbb"\nbase_url = "%s"\nbackend = "fmp"\n' "$origin"
  printf 'breaker_window = 3\nbreaker_min_calls = 3\nfailure_rate_threshold = 50\nopen_wait_s = 600\n\n'
  for immortal in lu-dongbin he-xiangu zhang-guolao han-xiangzi han-zhongli lan-caihe cao-guojiu li-tieguai; do
    printf '[watchlists.%s]\nsymbols = []\n\n' "$immortal"
  done
} >"$serve_config"
minimum_calls=3
calls=$((minimum_calls + 1))

# openbb FIELD...: the value of each dotted FIELD of GET /v1/providers' openbb entry, one a
# line ("-" for one it lacks).
openbb() {
  curl -s --max-time 10 "$URL/v1/providers" | python3 -c '
import json, sys
entry = next(p for p in json.load(sys.stdin)["providers"] if p["id"] == "openbb")
for path in sys.argv[1:]:
    value = entry
    for key in path.split("."):
        value = value.get(key, "-") if isinstance(value, dict) else "-"
    print(value)' "$@"
}

# quote_through_serve SYMBOL FILE: GET /v1/quotes/SYMBOL, "STATUS BODY" appended to FILE.
quote_through_serve() {
  local body
  body=$(curl -s --max-time 10 -w ' %{http_code}' "$URL/v1/quotes/$1")
  printf '%s %s\n' "${body##* }" "${body% *}" >>"$2"
}

# A relayed rate limit carries no Retry-After, so OpenBB is left alone for 1 s, 2 s, 4 s …
# after each: every call waits that out, so each one reaches the upstream.
start_serve -- --config "$serve_config" || exit 1
before=$(asked openbb RATEL)
for ((i = 1; i <= calls; i++)); do
  for _ in $(seq 100); do
    [[ $(openbb limits.backing_off_for_seconds) == - ]] && break
    sleep 0.1
  done
  quote_through_serve RATEL "$scratch/limited.txt"
done
mapfile -t state < <(openbb breaker.state breaker.buffered_calls health.last_error health.total_requests)
cat "$scratch/limited.txt" >>"$printed"
check "breaker: $calls relayed rate limits all reached the upstream" test "$(($(asked openbb RATEL) - before))" -eq "$calls"
check "breaker: each was answered as OpenBB's rate limit (429 rate_limited, openbb: rate_limited: rate limited)" \
  test "$(grep -c '^429 .*"class":"rate_limited".*openbb: rate_limited: rate limited' "$scratch/limited.txt")" -eq "$calls"
check "breaker: OpenBB's health counted $calls calls, the last a rate limit (${state[3]:-}, ${state[2]:-})" \
  test "${state[3]:-}" = "$calls" -a "${state[2]:-}" = "rate limited"
check "breaker: OpenBB's breaker is closed after $calls rate limits (minimum calls $minimum_calls): ${state[0]:-}, ${state[1]:-} calls buffered" \
  test "${state[0]:-}" = closed
stop_serve
cat "$serve_log" >>"$printed"

# The control: the same config and number of calls, each a relayed outage (the backend's 503).
start_serve -- --config "$serve_config" || exit 1
before=$(asked openbb DOWN)
for ((i = 1; i <= calls; i++)); do quote_through_serve DOWN "$scratch/down.txt"; done
mapfile -t state < <(openbb breaker.state health.last_error)
cat "$scratch/down.txt" >>"$printed"
check "breaker control: the relayed outages reached the upstream until it opened ($(($(asked openbb DOWN) - before)) of $calls)" \
  test "$(($(asked openbb DOWN) - before))" -ge "$minimum_calls"
check "breaker control: each answered was OpenBB's upstream 503" \
  test "$(grep -c '^502 .*openbb: upstream_status: upstream returned HTTP 503' "$scratch/down.txt")" -ge "$minimum_calls"
check "breaker control: OpenBB's breaker is open after $calls relayed outages: ${state[0]:-}" test "${state[0]:-}" = open
stop_serve
cat "$serve_log" >>"$printed"

# The fake secrets went out (so not finding them below means something) and never came back.
check "the key was sent to the upstream" grep -qF "apikey=$E2E_PROVIDER_KEY" "$upstream_log"
check "the Yahoo crumb was sent to the upstream" grep -qF "crumb=$E2E_YAHOO_CRUMB" "$upstream_log"
for secret in "${secrets[@]}"; do
  check "$secret appears nowhere in what the binary printed" test "$(grep -cF -- "$secret" "$printed")" -eq 0
done
