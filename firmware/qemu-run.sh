#!/usr/bin/env bash
# Cargo runner for the Cortex-M firmware (see .cargo/config.toml): qemu-run.sh ELF [ARGS...]
#
# Runs ELF under qemu-system-arm on the board that boards.txt gives for the target triple in
# its path (the first row of the triple, or the row of TINYRNN_BOARD: the board whose memory map
# build.rs linked). The firmware talks through semihosting and ends with a semihosting exit,
# whose status becomes this script's (and so `cargo run`'s).
#
# Environment:
#   COUNT=1     count executed instructions exactly with the regioninsn plugin
#               (../tools/qemu/regioninsn.c, built with gcc on first use, next to the target
#               directory): the whole run and each pass from `insn_region_start` to
#               `insn_region_end`; printed on stderr or to COUNT_LOG
#   COUNT_PROFILE=FILE  with COUNT=1, also the count of every instruction address inside the
#               regions, written to FILE (tools/profile.sh)
#   DEFMT=0|1   force off/on decoding stdout with `defmt-print -e ELF`
#               (default: on iff the ELF links a defmt logger, i.e. built with --features defmt)
#   STDIN=1     connect our stdin to the guest's first UART (default: /dev/null)
#   QEMU_EXTRA  extra qemu arguments (word-split)
#   TIMEOUT=s   stop QEMU after s seconds, with status 124 (default 600; 0: never), so that a
#               firmware stuck waiting cannot hang CI
set -uo pipefail
elf=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
triple=$(sed -n 's|.*/\(thumbv[^/]*\)/.*|\1|p' <<<"$elf")
# boards.txt: target board core qemu-cpu
read -r board cpu < <(awk -v t="$triple" -v b="${TINYRNN_BOARD:-}" \
  '!/^#/ && NF >= 4 && $1 == t && (b == "" || $2 == b) {print $2, $4; exit}' "$here/boards.txt")
if [ -z "${board:-}" ]; then
  echo "qemu-run.sh: no board for target '$triple'${TINYRNN_BOARD:+ named '$TINYRNN_BOARD'} in $here/boards.txt (from $elf)" >&2
  exit 2
fi
if [ "$cpu" = - ]; then
  echo "qemu-run.sh: board $board has no QEMU machine: run it with probe-rs (.cargo/config.toml)" >&2
  exit 2
fi
machine=$board
if ! command -v qemu-system-arm >/dev/null; then
  echo "qemu-run.sh: qemu-system-arm not found (apt-get install -y qemu-system-arm)" >&2
  exit 2
fi
q=()
[ "${TIMEOUT:-600}" != 0 ] && q+=(timeout "${TIMEOUT:-600}")
q+=(qemu-system-arm -cpu "$cpu" -machine "$machine" -nographic
   -semihosting-config enable=on,target=native)
if [ "${COUNT:-0}" = 1 ]; then
  plugin=${elf%%/"$triple"/*}/qemu-plugin/libregioninsn.so
  if [ ! -f "$plugin" ] || [ "$here/../tools/qemu/regioninsn.c" -nt "$plugin" ]; then
    mkdir -p "$(dirname "$plugin")"
    gcc -O2 -shared -fPIC -o "$plugin" "$here/../tools/qemu/regioninsn.c" || exit 2
  fi
  addr() { readelf -sW -C "$elf" | awk -v n="$1" '$8 ~ ("::" n "$") {print "0x" $2; exit}'; }
  start=$(addr insn_region_start)
  end=$(addr insn_region_end)
  q+=(-plugin "$plugin,start=${start:-0x1},end=${end:-0x1}${COUNT_PROFILE:+,profile=$COUNT_PROFILE}" -d plugin)
  [ -n "${COUNT_LOG:-}" ] && q+=(-D "$COUNT_LOG")
fi
# shellcheck disable=SC2206
[ -n "${QEMU_EXTRA:-}" ] && q+=($QEMU_EXTRA)
q+=(-kernel "$elf")
defmt=${DEFMT:-}
if [ -z "$defmt" ]; then
  # Decode iff a defmt global logger is linked (the .defmt section alone is not enough: the
  # library's defmt derives put a few bytes there even in a firmware that logs nothing).
  if readelf -sW "$elf" 2>/dev/null | awk '$8 == "_defmt_write" {found = 1} END {exit !found}'; then
    defmt=1
  else
    defmt=0
  fi
fi
[ "${STDIN:-0}" = 1 ] || exec </dev/null
if [ "$defmt" = 1 ]; then
  if ! command -v defmt-print >/dev/null; then
    echo "qemu-run.sh: defmt-print not found (cargo install defmt-print)" >&2
    exit 2
  fi
  "${q[@]}" "$@" | defmt-print -e "$elf"
  exit "${PIPESTATUS[0]}"
fi
exec "${q[@]}" "$@"
