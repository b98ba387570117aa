#!/usr/bin/env bash
# Proof that the int8 step uses no floating point on a core without an FPU: builds
# firmware/src/bin/mcu_int8.rs for the Cortex-M0 (thumbv6m-none-eabi, release), disassembles it,
# and follows every call and branch from each out-of-line int8 step (`mcu_int8::step_int8`, one
# instance per model, the instances taken together as they share the name)
# through the functions they reach; fails if one of them is a soft-float routine (`__aeabi_f*`,
# `__aeabi_d*`, `__aeabi_[u]i2f`…, `__addsf3`…, `__floatsisf`…, `__fixsfsi`…), or if an
# indirect call (`blx rN`) is reachable, which the walk could not follow. The control: the f32
# `seed` step (`mcu_int8::step_seed_f32`) must reach a soft-float routine, or the check could not
# see one.
#
#   tools/check-int8-float.sh [TARGET]     (default: thumbv6m-none-eabi)
# Needs an objdump that knows Thumb: llvm-objdump (PATH, or rustup's llvm-tools component, added
# when missing), rust-objdump or arm-none-eabi-objdump.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/firmware-env.sh"
target=${1:-thumbv6m-none-eabi}
(cd firmware && cargo build --quiet --release --target "$target" --bin mcu_int8)
elf=${CARGO_TARGET_DIR:-$root/target}/$target/release/mcu_int8

find_objdump() {
  local host sysroot
  for tool in llvm-objdump rust-objdump arm-none-eabi-objdump; do
    command -v "$tool" >/dev/null && { echo "$tool"; return; }
  done
  host=$(rustc -vV | sed -n 's/^host: //p')
  sysroot=$(rustc --print sysroot)
  if [ ! -x "$sysroot/lib/rustlib/$host/bin/llvm-objdump" ]; then
    rustup component add llvm-tools >&2 || rustup component add llvm-tools-preview >&2
  fi
  echo "$sysroot/lib/rustlib/$host/bin/llvm-objdump"
}
objdump=$(find_objdump)

"$objdump" -d -C --no-show-raw-insn "$elf" | awk '
  function hex(s,   i, c, v) {
    v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
    return v
  }
  # A symbol header: "00000118 <name>:" (mapping symbols $t, $d, $a are not functions).
  /^[0-9a-f]+ <.*>:$/ {
    name = $0; sub(/^[0-9a-f]+ </, "", name); sub(/>:$/, "", name)
    if (name !~ /^\$/) {
      sub(/::h[0-9a-f]+$/, "", name)
      current = name; n++; start[n] = hex($1); fname[n] = name
    }
    next
  }
  # A branch or call to an address: "  5a6:  bl  0xbda8 <...>".
  current != "" && $2 ~ /^(b|bl|b\.w|b\.n|beq|bne|bcs|bcc|bhs|blo|bmi|bpl|bvs|bvc|bhi|bls|bge|blt|bgt|ble|cbz|cbnz)(\.w|\.n)?$/ {
    for (i = 3; i <= NF; i++) if ($i ~ /^0x[0-9a-f]+$/) { edges[current] = edges[current] " " hex($i); break }
    next
  }
  current != "" && $2 ~ /^blx?$/ && $3 ~ /^r[0-9]+$|^(sb|sl|fp|ip)$/ { indirect[current] = 1 }
  END {
    # The function containing an address: the last start at or below it.
    for (i = 1; i <= n; i++) order[i] = i
    for (i = 2; i <= n; i++) { j = i; while (j > 1 && start[order[j-1]] > start[order[j]]) { t = order[j]; order[j] = order[j-1]; order[j-1] = t; j-- } }
    soft = "^(__aeabi_(f|d|[ul]*i2[fd]|l2[fd]|ul2[fd]|cf|cd)|__(add|sub|mul|div|neg)[sd]f3|__float|__fix|__(eq|ne|lt|le|gt|ge|un|cmp)[sd]f2|__extendsfdf2|__truncdfsf2)"
    status = 0; roots = 0; control = 0
    for (r = 1; r <= n; r++) {
      root = fname[r]
      if (root !~ /^mcu_int8::step_/) continue
      is_int8 = root ~ /_int8$/
      roots += is_int8
      delete seen; delete queue; head = 1; tail = 1; queue[1] = root; seen[root] = 1
      floats = ""; count = 0; blind = ""
      while (head <= tail) {
        f = queue[head++]; count++
        if (f ~ soft) floats = floats " " f
        if (f in indirect) blind = blind " " f
        m = split(edges[f], targets, " ")
        for (k = 1; k <= m; k++) {
          a = targets[k] + 0; lo = 1; hi = n; best = ""
          while (lo <= hi) { mid = int((lo + hi) / 2); if (start[order[mid]] <= a) { best = fname[order[mid]]; lo = mid + 1 } else hi = mid - 1 }
          if (best != "" && !(best in seen)) { seen[best] = 1; queue[++tail] = best }
        }
      }
      if (is_int8) {
        if (floats != "" || blind != "") {
          printf "FAIL %s reaches soft-float routines:%s%s\n", root, floats, (blind != "" ? "; indirect calls in:" blind : "")
          status = 1
        } else {
          printf "ok   %s: %d functions reachable, none is a soft-float routine\n", root, count
        }
      } else {
        control = (floats != "")
        printf "%s %s (control, f32): reaches%s\n", (control ? "ok  " : "FAIL"), root, (control ? floats : " no soft-float routine: the check cannot see them")
        if (!control) status = 1
      }
    }
    if (roots == 0) { print "FAIL no mcu_int8::step_*_int8 function found in the disassembly"; status = 1 }
    exit status
  }'
echo "ok: no floating-point operation is reachable from the int8 steps ($target)"
