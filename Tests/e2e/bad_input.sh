#!/usr/bin/env bash
# End-to-end test of what the real binary does with bad command lines, environment
# variables and files: each case checks the exit status (64 usage, 78 configuration, 1
# runtime failure) and the one line that says why. docs/RELIABILITY.md ("Bad input,
# everywhere") points at these cases by name.
#
#   Tests/e2e/bad_input.sh PATH/TO/lianyaohu
#
# Builds nothing and needs no terminal. Every run is bounded (30 s). Exits non-zero on any
# failure; the last line is "N passed, M failed".
set -u
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"

# expect STATUS PATTERN NAME -- [VAR=VALUE...] ARGUMENTS...: runs the binary with the
# variables and arguments (standard input /dev/null, so never a terminal) and checks its exit
# status and that its output, standard output and error together, matches PATTERN.
expect() {
  local status=$1 pattern=$2 name=$3 output actual
  shift 4
  local variables=()
  while [[ $# -gt 0 && $1 == *=* && $1 != -* ]]; do
    variables+=("$1")
    shift
  done
  output=$(env "${variables[@]}" timeout 30 "$binary" "$@" </dev/null 2>&1)
  actual=$?
  if [[ $actual == "$status" ]] && grep -qE -- "$pattern" <<<"$output"; then
    pass "ok - $name"
  else
    fail "not ok - $name (exit $actual, expected $status and /$pattern/)"
    head -c 600 <<<"$output" | sed 's/^/  | /'
  fi
}

# Files to point the commands at.
printf '[core]\nseed = 1\nrefresh_interval = = 2\n' >"$scratch/syntax.toml"
printf '[core]\nseed = "eight"\n' >"$scratch/type.toml"
printf '[dashboard]\ntheme = "x"\ncolour = "red"\n' >"$scratch/unknown-key.toml"
printf '[providers.finnhub]\nkind = "finnhub"\napi_key_env = "E2E_FINNHUB_KEY_UNSET"\n' >"$scratch/missing-key.toml"
printf '[core]\nseed = 1\n# \xff\xfe not UTF-8\n' >"$scratch/binary.toml"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$scratch/huge.toml"
mkdir -p "$scratch/directory.toml"
printf 'title = bold\nborder red\n' >"$scratch/broken.theme"
many=$(for i in $(seq 201); do printf 'S%d ' "$i"; done)

# Command lines: every command refuses what it cannot use with status 64 and the reason.
expect 64 "Unexpected argument 'nonsense'" "an unknown command or argument is a usage error" -- nonsense
expect 64 "Unknown option '--bogus'" "an unknown option is a usage error" -- quote AAPL --bogus
expect 64 "refresh-interval must be between 0.1 and 3600" "--refresh-interval out of range" -- quote AAPL --refresh-interval 0
expect 64 "refresh-interval must be between 0.1 and 3600" "--refresh-interval not a number (nan)" -- quote AAPL --refresh-interval nan
expect 64 "The value '-1' is invalid for '--seed <seed>'" "--seed that is not a whole number from 0" -- quote AAPL --seed=-1
expect 64 "The value 'x' is invalid for '--seed <seed>'" "--seed that is not a number" -- quote AAPL --seed x
expect 64 "--port must be between 0 and 65535" "dash --port out of range" -- dash --port 70000
expect 64 "--connect ftp://host" "dash --connect with a URL that is not http(s)" -- dash --connect ftp://host
expect 64 "with --connect there is none" "dash --connect with --port" -- dash --connect http://127.0.0.1:1 --port 1
expect 64 "--token is for --connect" "dash --token without --connect" -- dash --token abc
expect 64 "--width and --height must be between 1 and 1000" "snapshot --width 0" -- snapshot --width 0
expect 64 "--width and --height must be between 1 and 1000" "snapshot --height 1001" -- snapshot --height 1001
expect 64 "--settle must be between 0 and 60" "snapshot --settle -1" -- snapshot --settle=-1
expect 64 "--every must be between 0.1 and 3600" "feed --every 0" -- feed --every 0
expect 64 "--frames must not be negative" "feed --frames -1" -- feed --frames=-1
expect 64 "--port must be between 0 and 65535" "feed --port out of range" -- feed --port 65536
expect 64 "Missing expected argument" "quote without symbols" -- quote
expect 64 "BAD\\$: symbol has '\\$' at position 4" "quote with an invalid symbol names the character" -- quote 'BAD$'
# shellcheck disable=SC2086 # $many splits into one argument per symbol
expect 64 "at most 200 symbols" "quote with more than 200 symbols" -- quote $many
expect 64 "no provider named nope \\(configured: sim-alpha, sim-beta, sim-gamma\\)" "quote --provider that is not configured" \
  -- quote AAPL --provider nope
expect 1 "ZZZZ: unknown_symbol: " "quote of a symbol no provider knows fails with its error class" -- quote ZZZZ
expect 64 "--port must be between 0 and 65535" "serve --port out of range" -- serve --port 70000
expect 64 "refusing to listen on 0.0.0.0 without an API token" "serve on a non-loopback address without a token" -- serve --host 0.0.0.0
expect 64 "--token-env E2E_UNSET_TOKEN: that environment variable is unset or empty" "serve --token-env naming an unset variable" \
  -- serve --token-env E2E_UNSET_TOKEN
expect 64 "The value 'loud' is invalid for '--log-level" "serve --log-level that is not a level" -- serve --log-level loud
expect 64 "--latency-ms: 'fast' is not a non-negative number" "simulate --latency-ms that is not median[,p99]" -- simulate --latency-ms fast
expect 64 "--error-rate must be between 0 and 1" "simulate --error-rate above 1" -- simulate --error-rate 1.5
expect 64 "--outage: the period must be positive and at least the downtime" "simulate --outage down longer than its period" -- simulate --outage 10,60
expect 64 "add up to more than 1" "simulate fault rates adding up to more than 1" -- simulate --error-rate 0.6 --timeout-rate 0.6
expect 64 "--port must be between 0 and 65535" "simulate --port out of range" -- simulate --port 70000
expect 64 "--count must be at least 1" "the hidden test-save-loop refuses --count 0" -- test-save-loop --config "$scratch/x.toml" --count 0

# The config file: status 78 and one line naming the file, the line and the key.
expect 78 "configuration error: $scratch/missing.toml: no such file" "--config naming a missing file" \
  -- quote AAPL --config "$scratch/missing.toml"
expect 78 "syntax.toml:3: not valid TOML" "a TOML syntax error names its line" -- quote AAPL --config "$scratch/syntax.toml"
expect 78 "type.toml:2: core.seed: expected a whole number" "a value of the wrong type names the key" \
  -- quote AAPL --config "$scratch/type.toml"
expect 78 "unknown-key.toml:3: dashboard.colour: unknown key" "an unknown key names the key" \
  -- quote AAPL --config "$scratch/unknown-key.toml"
expect 78 "api_key_env: environment variable E2E_FINNHUB_KEY_UNSET is not set" "a provider key from an unset variable" \
  -- quote AAPL --config "$scratch/missing-key.toml"
expect 78 "binary.toml: is not UTF-8 text" "a config that is not UTF-8" -- quote AAPL --config "$scratch/binary.toml"
expect 78 "huge.toml: is larger than 1 MiB" "a config larger than 1 MiB" -- quote AAPL --config "$scratch/huge.toml"
expect 78 "directory.toml: cannot be read" "a config path that is a directory" -- quote AAPL --config "$scratch/directory.toml"

# Environment variables.
expect 78 "environment: LIANYAOHU_SEED: \"many\" is not valid" "LIANYAOHU_SEED that is not a number" -- LIANYAOHU_SEED=many quote AAPL
expect 78 "environment: LIANYAOHU_REFRESH_INTERVAL: \"0\" is not valid" "LIANYAOHU_REFRESH_INTERVAL out of range" \
  -- LIANYAOHU_REFRESH_INTERVAL=0 quote AAPL
expect 78 "missing.toml: no such file" "LIANYAOHU_CONFIG naming a missing file" -- "LIANYAOHU_CONFIG=$scratch/missing.toml" quote AAPL
expect 78 "environment: LIANYAOHU_REDIS_URL: unsupported URL scheme 'ftp'" "LIANYAOHU_REDIS_URL that is not a redis:// URL" -- LIANYAOHU_REDIS_URL=ftp://cache quote AAPL
expect 78 "no such theme; choose one of default" "LIANYAOHU_THEME naming no theme (before the terminal opens)" -- LIANYAOHU_THEME=nope dash
expect 78 "no such theme; choose one of default" "dash --theme naming no theme" -- dash --theme nope
expect 78 "broken.theme:2: expected \`key = value\`" "dash --theme with a broken theme file names its line" \
  -- dash --theme "$scratch/broken.theme"
expect 64 "refusing to listen on 0.0.0.0 without an API token" "a blank LIANYAOHU_API_TOKEN is no token" -- "LIANYAOHU_API_TOKEN= " serve --host 0.0.0.0
expect 1 "standard input and output must be a terminal" "dash without a terminal says so and exits 1" -- dash

# History and profiles: a request that cannot be asked is a usage error (64); one that was
# asked and could not be had is a failure (1), with the API's error class.
expect 64 "unknown interval 2h \(one of: 1m 5m" "history with an unknown interval" -- history AAPL --interval 2h
expect 64 "unknown range 7y" "history with an unknown range" -- history AAPL --range 7y
expect 64 "from \(2025-02-01\) is after to \(2025-01-01\)" "history with from after to" -- history AAPL --from 2025-02-01 --to 2025-01-01
expect 64 "1m bars are kept for at most 1000 days" "history asking 50 years of one-minute bars" \
  -- history AAPL --interval 1m --from 1975-01-01 --to 2024-12-31
expect 64 "give a range, or both from and to" "history with a range and dates at once" -- history AAPL --range 1y --from 2025-01-01
expect 64 "2025-13-01 is not a date" "history with a date that does not exist" -- history AAPL --from 2025-13-01 --to 2025-12-31
expect 64 "give --json or --csv, not both" "history --json --csv" -- history AAPL --json --csv
expect 1 "ZZZZZZ: unknown_symbol:" "history of a symbol no provider knows" -- history ZZZZZZ --range 5d
expect 1 "ZZZZZZ: unknown_symbol:" "profile of a symbol no provider knows" -- profile ZZZZZZ
expect 0 "^time,open,high,low,close,adj_close,volume" "history --csv starts with its header" -- history AAPL --range 1mo --csv
expect 0 '"simulated":true' "history --json marks simulated bars" -- history AAPL --range 1mo --json
expect 0 "from sim-alpha, age .* SIM" "profile names its source and age, marked simulated" -- profile AAPL
