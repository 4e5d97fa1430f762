#!/usr/bin/env bash
# End-to-end test of `lianyaohu dash`: runs the real binary in tmux, drives it with keys
# and reads the screen back with capture-pane.
#
#   Tests/e2e/dashboard.sh PATH/TO/lianyaohu
#
# Builds nothing. Every wait is bounded; the tmux server (on its own socket) is killed on
# exit. Exits non-zero on any failure; the last line is "N passed, M failed".
set -u
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash" "$@"
need_apt tmux tmux || { echo "tmux is required" >&2; exit 2; }

socket="lianyaohu-e2e-$$"
session=e2e
# shellcheck source=lib/tmux.bash
source "$(dirname "$0")/lib/tmux.bash"

# Colour escapes (foreground or background, 8 or 256 colours) in the pane's content.
coloured() { tmux_ capture-pane -t "$session" -p -e | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5)[;m]'; }
monochrome() { ! coloured; }

tmux_ -f /dev/null new-session -d -s "$session" -x 160 -y 48 "env -i HOME=$scratch HISTFILE=/dev/null PATH=/usr/bin:/bin TERM=screen-256color bash --norc --noprofile"
tmux_ set-option -t "$session" status off >/dev/null
keys "export LANG=C.UTF-8 XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME PS1='e2e\$ '" Enter
keys "'$binary' dash --refresh-interval 0.5; echo EXIT=\$?" Enter

check "starts and shows all eight immortals" 20 shows_all_immortals
check "marks simulated data with the SIMULATED badge" 5 shows "SIMULATED"
check "colours come from the theme (256-colour escapes on screen)" 5 coloured
check "every price shows its source provider" 5 shows "^AAPL +[0-9.]+ .* sim-(alpha|beta|gamma) +[0-9]+[smhd]"

for _ in 1 2 3 4 5 6 7 8; do keys Tab; done
keys t
check "t trips the selected provider: its breaker shows forced-open" 5 shows "▸ sim-alpha +forced-open"
check "the trip is confirmed in the events pane" 5 shows "operator +provider sim-alpha tripped by operator"

keys r
check "r resets it: closed again" 5 shows "▸ sim-alpha +closed"
check "no breaker is forced open any more" 5 lacks "sim-[a-z]+ +forced-open"

keys 1 w
check "w opens 吕洞宾's watchlist editor" 5 shows "吕洞宾 Lü Dongbin · watchlist, 5 of 5 active"
keys Space
check "Space toggles AAPL off" 5 shows "watchlist, 4 of 5 active"
keys a B A D '$' Enter
check "a rejects a malformed symbol with the reason" 5 shows "not a symbol: symbol has '\\\$' at position 4"
keys C-h C-h C-h C-h Z Z Z Z Enter
check "a refuses a symbol no provider knows" 10 shows "no provider (that answered )?knows ZZZZ; not added"
keys a N F L X Enter
check "a adds a known symbol at once" 10 shows "watchlist, 5 of 6 active"
keys Escape
check "AAPL disappears from 吕洞宾's pane" 5 lacks "^AAPL +[0-9]"
check "the other symbols stay" 5 shows "^NVDA +[0-9]"

tmux_ resize-window -t "$session" -x 60 -y 15
check "at 60x15 the small layout (or the too-small message) shows" 5 \
  bash -c "tmux -L '$socket' capture-pane -t '$session' -p | grep -qE '(▼ more|terminal too small)'"
tmux_ resize-window -t "$session" -x 160 -y 48
check "back at 160x48 all eight immortals show again" 5 shows_all_immortals

keys q
check "q quits with status 0" 10 shows "^EXIT=0"
keys "clear; stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\n' ' '; echo" Enter
check "the terminal is restored: canonical mode, echo and signals are on" 5 terminal_restored
keys "echo prompt-ok-\$((6 * 7))" Enter
check "the shell prompt is usable" 5 shows "^prompt-ok-42"

# NO_COLOR: the monochrome theme, attributes only.
keys "clear; NO_COLOR=1 '$binary' dash --refresh-interval 0.5; echo EXIT=\$?" Enter
check "under NO_COLOR the dashboard starts" 20 shows_all_immortals
check "under NO_COLOR no colour escape reaches the terminal" 3 monochrome
keys q
check "and quits with status 0" 10 shows "^EXIT=0"

# Signals end the dashboard gracefully and restore the terminal too.
dashboard_pid() {
  local shell
  shell=$(tmux_ display-message -p -t "$session" '#{pane_pid}')
  pgrep -P "$shell" -x lianyaohu | head -n 1
}
for signal in INT TERM HUP; do
  keys "clear; '$binary' dash --refresh-interval 0.5; echo EXIT=\$?" Enter
  if ! wait_for 20 shows_all_immortals; then
    check "the dashboard starts again for SIG$signal" 0 false
    continue
  fi
  if [[ $signal == INT ]]; then
    keys C-c
  else
    pid=$(dashboard_pid)
    [[ -n "$pid" ]] && kill -s "$signal" "$pid"
  fi
  check "SIG$signal ends the dashboard" 10 shows "^EXIT=0"
  keys "clear; stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\n' ' '; echo" Enter
  check "after SIG$signal the terminal is restored" 5 terminal_restored
done

# A crash restores the terminal too: the crash guard puts the saved modes back and leaves
# the alternate screen, then the signal takes its course (exit status 128 + signal). The
# dashboard runs under sh -c because an interactive bash puts the terminal modes back itself
# for a job a signal killed; sh does not, so the stty probe right after sees what the dying
# process left. `trap` is a Swift runtime trap: SIGILL on x86_64, SIGTRAP on arm64. The abort
# also runs the Swift runtime's backtracer, which the guard hands the signal on to; the others
# run without it (the default action right after the guard).
cat >"$scratch/crash.sh" <<CRASH
#!/bin/sh
ulimit -c 0
LIANYAOHU_TEST_CRASH_AFTER_MS=3000 LIANYAOHU_TEST_CRASH_KIND="\$1" SWIFT_BACKTRACE="\$2" '$binary' dash --refresh-interval 0.5
echo "EXIT=\$?"
stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\n' ' '
echo
CRASH
for crash in "abort enable=yes 134" "segv enable=no 139" "trap enable=no 13[23]"; do
  read -r kind backtrace status <<<"$crash"
  keys "clear; sh '$scratch/crash.sh' $kind $backtrace" Enter
  if ! wait_for 20 shows_all_immortals; then
    check "the dashboard starts before a $kind crash" 0 false
    continue
  fi
  check "a $kind crash ends the dashboard with status $status" 40 shows "^EXIT=$status\$"
  check "after a $kind crash the terminal modes are restored" 5 terminal_restored
  check "after a $kind crash the alternate screen is left and the cursor shown" 5 screen_restored
done
keys "clear; echo prompt-ok-\$((6 * 7))" Enter
check "after the crashes the shell prompt is usable" 5 shows "^prompt-ok-42"

# SIGKILL while watchlist edits are being saved into the config file (every edit is): nothing
# can restore the terminal, but the config the next command reads must still parse.
# (AtomicSaveTests kills a saving process 25 times; this is the same through the dashboard.)
keys "clear; '$binary' dash --refresh-interval 0.5; echo EXIT=\$?" Enter
if wait_for 20 shows_all_immortals; then
  keys 1 w Space Space Space Space Space Space Space
  pid=$(dashboard_pid)
  [[ -n "$pid" ]] && kill -KILL "$pid"
  check "SIGKILL ends the dashboard with status 137" 10 shows "^EXIT=137"
  keys "tput rmcup; tput cnorm; clear; '$binary' quote AAPL >/dev/null 2>&1; echo CONFIG=\$?" Enter
  check "after SIGKILL mid-save the config file still parses" 30 shows "^CONFIG=0"
  check "and it holds the watchlist tables the dashboard saved" 5 \
    grep -q "^\[watchlists.lu-dongbin\]" "$XDG_CONFIG_HOME/lianyaohu/config.toml"
else
  check "the dashboard starts again for SIGKILL" 0 false
fi
