# The preamble every Tests/e2e/*.sh shares (sourced first, not run). A script starts with
#
#   set -u                 # its own shell options: common.bash sets none
#   # shellcheck source=lib/common.bash
#   source "$(dirname "$0")/lib/common.bash" "$@"
#
# and gets:
#   binary    the lianyaohu under test, as an absolute path (no argument: usage, exit 2)
#   repo      the repository's root, absolute
#   scratch   a directory of its own, removed on exit, that holds everything the run writes:
#             XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_DATA_HOME, XDG_CACHE_HOME and TMPDIR are
#             exported into it, so nothing reads the user's config or writes to their home
#   LANG=C.UTF-8 (and LC_ALL) and no LIANYAOHU_* variable from whoever runs it
#   pass LINE / fail LINE    count one check and print its line (each script prints its own)
#   on_exit COMMAND          run COMMAND on exit (last registered first): stop what it started
#   need_apt, need_pip, need_promtool, apt_install, as_root: install what is missing
# On exit, however it comes: the registered commands run, the scratch directory goes, the
# last line is "N passed, M failed", and the status is non-zero when any check failed (or
# the script exited non-zero itself). An EXIT trap's own status is not the script's, so the
# trap calls exit.

binary=${1:-}
if [[ -z "$binary" || ! -f "$binary" || ! -x "$binary" ]]; then
  echo "usage: $0 PATH/TO/lianyaohu" >&2
  exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
# shellcheck disable=SC2034 # for the scripts
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

export LANG=C.UTF-8 LC_ALL=C.UTF-8
while read -r name; do unset "$name"; done < <(compgen -e LIANYAOHU_)

scratch=$(mktemp -d -t lianyaohu-e2e-XXXXXX)
mkdir -p "$scratch/config" "$scratch/state" "$scratch/data" "$scratch/cache" "$scratch/tmp"
export XDG_CONFIG_HOME="$scratch/config" XDG_STATE_HOME="$scratch/state" XDG_DATA_HOME="$scratch/data" \
  XDG_CACHE_HOME="$scratch/cache" TMPDIR="$scratch/tmp"

passed=0
failed=0
# pass LINE, fail LINE: counts one check as passed or failed and prints LINE for it.
pass() {
  passed=$((passed + 1))
  echo "$1"
}
fail() {
  failed=$((failed + 1))
  echo "$1"
}

exit_commands=()
# on_exit COMMAND: evaluates COMMAND (a string, so read at exit time) when the script exits,
# with its output discarded; the last registered runs first.
on_exit() { exit_commands+=("$1"); }

finish() {
  local status=$? i
  for ((i = ${#exit_commands[@]} - 1; i >= 0; i--)); do
    eval "${exit_commands[i]}" >/dev/null 2>&1
  done
  # A process that was just killed may still be writing into it.
  rm -rf "$scratch" 2>/dev/null || { sleep 1; rm -rf "$scratch"; }
  echo "$passed passed, $failed failed"
  ((status != 0)) && exit "$status"
  ((failed == 0)) || exit 1
  exit 0
}
trap finish EXIT
trap 'exit 130' INT TERM HUP

# as_root COMMAND...: runs COMMAND as root, through sudo unless the script is root already.
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# apt_lists_offer PACKAGE: updates apt's package lists unless they offer PACKAGE already.
apt_lists_offer() {
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [0-9]' && return 0
  as_root apt-get -o DPkg::Lock::Timeout=60 update -qq
}

# apt_install PACKAGE...: installs Debian packages (no recommends, never a question).
apt_install() {
  apt_lists_offer "$1" || return 1
  # Through env: sudo drops DEBIAN_FRONTEND from the environment it is given.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 install -y -qq \
    --no-install-recommends "$@" >/dev/null
}

# need_apt COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is missing; fails when
# COMMAND is still missing after.
need_apt() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "==> apt-get install $2"
  apt_install "$2"
  hash -r
  command -v "$1" >/dev/null 2>&1
}

# need_pip COMMAND PACKAGE: installs PACKAGE from PyPI when COMMAND is missing; fails when
# COMMAND is still missing after.
need_pip() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "==> pip install $2"
  python3 -m pip install --quiet "$2" >/dev/null 2>&1 || python3 -m pip install --quiet --break-system-packages "$2"
  hash -r
  command -v "$1" >/dev/null 2>&1
}

# need_promtool DIRECTORY: puts promtool on PATH. One already there is used; else it is taken
# out of Debian's prometheus package into DIRECTORY (and found there by the next run, if
# DIRECTORY is kept), not installed: installing the package would add a system user and a
# Prometheus server listening on :9090 wherever services start. Fails when promtool does not run.
need_promtool() {
  local directory=$1 found download version
  if ! command -v promtool >/dev/null 2>&1; then
    found=$(find "$directory" -path '*/promtool-*/promtool' -type f 2>/dev/null | head -n 1)
    if [[ -z "$found" ]]; then
      echo "==> promtool from Debian's prometheus package (extracted, not installed)"
      apt_lists_offer prometheus || return 1
      download=$(mktemp -d)
      chmod 0777 "$download" # apt's _apt user downloads into it
      if (cd "$download" && apt-get download -qq prometheus >/dev/null 2>&1); then
        version=$(dpkg-deb -f "$download"/prometheus_*.deb Version)
        mkdir -p "$directory/promtool-$version"
        dpkg-deb --fsys-tarfile "$download"/prometheus_*.deb | tar -x -C "$download" ./usr/bin/promtool \
          && mv "$download/usr/bin/promtool" "$directory/promtool-$version/promtool" \
          && found="$directory/promtool-$version/promtool"
      fi
      rm -rf "$download"
      [[ -n "$found" ]] || return 1
    fi
    PATH="$(dirname "$found"):$PATH"
  fi
  promtool --version >/dev/null 2>&1
}
