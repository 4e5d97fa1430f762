# Shared by the dashboard end-to-end scripts (sourced after common.bash): drive the real
# binary in tmux and read its screen. The sourcing script sets `socket` (a tmux socket of its
# own) and `session` first; that tmux server is killed on exit, and its socket file, which
# kill-server leaves behind, is in the scratch directory.

: "${socket:?set socket before sourcing tmux.bash}" "${session:?set session before sourcing tmux.bash}"
# shellcheck disable=SC2154 # scratch comes from common.bash
export TMUX_TMPDIR="$scratch"
tmux_() { tmux -L "$socket" "$@"; }
on_exit "tmux_ kill-server"

screen() { tmux_ capture-pane -t "$session" -p 2>/dev/null; }

shows() { screen | grep -qE -- "$1"; }

lacks() { ! screen | grep -qE -- "$1"; }

shows_all_immortals() {
  local text name
  text=$(screen)
  for name in 吕洞宾 何仙姑 张果老 韩湘子 汉钟离 蓝采和 曹国舅 铁拐李; do
    grep -q -- "$name" <<<"$text" || return 1
  done
}

# wait_for SECONDS COMMAND...: polls every 0.2 s until COMMAND succeeds or time runs out.
wait_for() {
  local tries=$(($1 * 5))
  shift
  while ((tries-- > 0)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# check NAME SECONDS COMMAND...: one test step; it passes when COMMAND succeeds within SECONDS.
check() {
  local name=$1
  shift
  if wait_for "$@"; then
    pass "ok - $name"
  else
    fail "not ok - $name"
    echo "---- screen ----"
    screen | sed 's/^/  | /'
    if [[ -n "${XDG_STATE_HOME:-}" && -f "$XDG_STATE_HOME/lianyaohu/dashboard.log" ]]; then
      echo "---- dashboard log, last lines ----"
      tail -n 15 "$XDG_STATE_HOME/lianyaohu/dashboard.log" | sed 's/^/  | /'
    fi
    echo "----------------"
  fi
}

keys() { tmux_ send-keys -t "$session" "$@"; }

# The line printed by the stty probe below holds icanon, echo and isig, none negated.
terminal_restored() {
  local line
  line=" $(screen | grep -E '^-?(isig|icanon|echo)( |$)' | head -n 1) "
  [[ "$line" == *" icanon "* && "$line" == *" echo "* && "$line" == *" isig "* ]]
}

# The pane has left curses' screen: out of the alternate screen, cursor shown, keypad
# (application cursor keys) mode off. tmux keeps these flags per pane.
screen_restored() {
  [[ "$(tmux_ display-message -p -t "$session" '#{alternate_on} #{cursor_flag} #{keypad_flag}')" == "0 1 0" ]]
}
