#!/usr/bin/env bash
# The Cortex-M cost card: for every shipped model (models/*.safetensors, each baked by
# firmware/build.rs) on every core, builds firmware/src/bin/mcu_cost.rs with that model alone
# (TINYRNN_COST_MODEL) and measures, under QEMU on the core's board in firmware/boards.txt:
#   flash        .text + .rodata of the firmware (cortex-m-rt, semihosting exit, one model, its input)
#   model data   the model's share of it: weights + vocabulary (WEIGHT_BYTES + VOCAB_BYTES)
#   RAM          .data + .bss (the recurrent state lives on the stack)
#   stack        peak stack of one inference, measured by painting: cortex-m-rt's `paint-stack`
#                fills the stack with 0xCCCCCCCC at reset; gdb stops the firmware when the
#                inference returns and dumps the stack; the peak is the deepest repainted word
#   insns        executed instructions of one inference and of one more step, counted exactly by
#                the regioninsn QEMU plugin (tools/qemu/regioninsn.c, built with gcc)
#   MACs         multiply-accumulates of one step (MACS_PER_STEP), and instructions per MAC of
#                the whole inference (steps x MACS_PER_STEP + HEAD_MACS)
#   engine       code bytes of the inference: .text of the firmware minus .text of the same
#                firmware measuring no model (TINYRNN_COST_MODEL=none: runtime, startup and
#                semihosting exit only), so everything but weights, vocabulary and runtime
# Prints the table and writes it into BENCHMARKS.md (section "Cortex-M cost card").
#
#   tools/cost-card.sh               (needs qemu-system-arm, gdb-multiarch, gcc: installs them
#                                     with apt-get when missing and running as root)
#   TARGETS="thumbv7em-none-eabihf" MODELS="seed" tools/cost-card.sh   (a subset: printed only)
#   tools/cost-card.sh --no-write    (everything, printed only)
#   PROFILE=release-size FEATURES=compact tools/cost-card.sh
#                                    (the size-optimised build, opt-level "s" and tinyrnn's rolled
#                                     kernels: printed only; FEATURES are the firmware crate's)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/firmware-env.sh"
unset TINYRNN_BOARD # the QEMU boards, the first of each target in firmware/boards.txt
write=1
[ "${1:-}" = --no-write ] && write=0
# Only a full card goes into BENCHMARKS.md.
[ -n "${TARGETS:-}${MODELS:-}" ] && write=0
# The cargo profile of the firmware (Cargo.toml: release, or release-size); only release is written.
profile=${PROFILE:-release}
[ "$profile" = release ] || write=0
features=${FEATURES:-}
[ -z "$features" ] || write=0

need=()
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
command -v gdb-multiarch >/dev/null || need+=(gdb-multiarch)
command -v gcc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

read -ra targets <<<"${TARGETS:-thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf thumbv8m.main-none-eabihf}"
if [ -n "${MODELS:-}" ]; then
  read -ra models <<<"$MODELS"
else
  models=()
  for f in models/*.safetensors; do
    # Generative and sequence-to-sequence models (task "generate": melody; "seq2seq": g2p) have
    # no classification to time; their cost per generated token is not on this card yet.
    grep -aqE 'task[^,]*(generate|seq2seq)' <(head -c 4096 "$f") && continue
    [ -e "$f" ] && models+=("$(basename "$f" .safetensors)")
  done
fi
[ ${#models[@]} -gt 0 ] || { echo "cost-card.sh: no model in models/" >&2; exit 1; }
target_dir=${CARGO_TARGET_DIR:-$root/target}
work=$target_dir/cost-card
mkdir -p "$work"

board_of() { # TARGET -> "board core qemu-cpu", the target's first row of firmware/boards.txt
  awk -v t="$1" '!/^#/ && NF >= 4 && $1 == t {print $2, $3, $4; exit}' firmware/boards.txt
}
section_size() { # ELF SECTION -> size in bytes (0 if absent)
  local hex
  hex=$(readelf -SW "$1" | awk -v s="$2" '{sub(/^ *\[ *[0-9]+\]/, "")} $1 == s {print $5}')
  echo $((16#${hex:-0}))
}
symbol() { # ELF NAME -> address (hex, no 0x) of the symbol NAME or of the function ending in ::NAME
  readelf -sW -C "$1" | awk -v n="$2" '!found && ($8 == n || $8 ~ ("::" n "$")) {print $2; found = 1}'
}
field() { # LINE KEY -> value of KEY=value
  sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1"
}

# Stops ELF when the first measured region ends and prints the peak stack in bytes.
peak_stack() {
  local elf=$1 cpu=$2 machine=$3
  local end lo hi from sock dump
  end=$(( 16#$(symbol "$elf" insn_region_end) & ~1 )) # without the Thumb bit
  lo=$((16#$(symbol "$elf" _stack_end)))
  hi=$((16#$(symbol "$elf" _stack_start)))
  from=$(( hi - lo > 262144 ? hi - 262144 : lo ))
  sock=$(mktemp -u "${TMPDIR:-/tmp}/cost-card-gdb.XXXXXX")
  dump=$work/stack.bin
  qemu-system-arm -cpu "$cpu" -machine "$machine" -nographic \
    -semihosting-config enable=on,target=native -kernel "$elf" \
    -S -gdb "unix:$sock,server=on,wait=off" </dev/null >/dev/null 2>&1 &
  local qemu=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  rm -f "$dump"
  gdb-multiarch -nx -batch -ex "target remote $sock" -ex "break *$end" -ex continue \
    -ex "dump binary memory $dump $from $hi" -ex kill >"$work/gdb.log" 2>&1 || true
  kill "$qemu" 2>/dev/null || true
  wait "$qemu" 2>/dev/null || true
  rm -f "$sock"
  [ -s "$dump" ] || { echo "?"; return; }
  # The first word from the bottom that is no longer paint is the deepest the stack went.
  od -An -tx4 -v "$dump" | tr -s ' ' '\n' | awk -v size=$((hi - from)) \
    'NF && !found && $1 != "cccccccc" {print size - (n * 4); found = 1} NF {n++} END {if (!found) print 0}'
}

rows=()
for target in "${targets[@]}"; do
  read -r machine core cpu <<<"$(board_of "$target")"
  if [ -z "${cpu:-}" ] || [ "$cpu" = - ]; then
    echo "cost-card.sh: no QEMU board for target $target in firmware/boards.txt" >&2
    exit 1
  fi
  # The same firmware without a model: what the engine's code is measured against.
  (cd firmware && TINYRNN_COST_MODEL=none cargo build --quiet --profile "$profile" ${features:+--features "$features"} --target "$target" --bin mcu_cost)
  base_text=$(section_size "$target_dir/$target/$profile/mcu_cost" .text)
  for model in "${models[@]}"; do
    echo "== $target $model" >&2
    (cd firmware && TINYRNN_COST_MODEL=$model cargo build --quiet --profile "$profile" ${features:+--features "$features"} --target "$target" --bin mcu_cost)
    mkdir -p "$work/$target"
    elf=$work/$target/mcu_cost-$model.elf  # firmware/qemu-run.sh reads the target from the path
    cp "$target_dir/$target/$profile/mcu_cost" "$elf"
    log=$work/count-$target-$model.txt
    out=$(COUNT=1 COUNT_LOG=$log firmware/qemu-run.sh "$elf")
    line=$(grep "^cost $model " <<<"$out") || {
      echo "cost-card.sh: no result from $elf (does firmware/build.rs bake $model?)" >&2
      exit 1
    }
    inference=$(sed -n 's/^region 0 insns: //p' "$log")
    step=$(sed -n 's/^region 1 insns: //p' "$log")
    text=$(section_size "$elf" .text)
    rodata=$(section_size "$elf" .rodata)
    data=$(section_size "$elf" .data)
    bss=$(section_size "$elf" .bss)
    stack=$(peak_stack "$elf" "$cpu" "$machine")
    steps=$(field "$line" steps)
    macs=$(field "$line" macs_per_step)
    head=$(field "$line" head_macs)
    model_bytes=$(( $(field "$line" weight_bytes) + $(field "$line" vocab_bytes) ))
    shape="I=$(field "$line" inputs) H=$(field "$line" hidden) L=$(field "$line" layers)"
    per_mac=$(awk -v i="$inference" -v m=$(( steps * macs + head )) 'BEGIN {printf "%.2f", i / m}')
    rows+=("| $core ($machine) | $model ($shape) | $((text + rodata)) | $model_bytes | $((text - base_text)) | $((data + bss)) | $stack | $steps | $inference | $step | $macs | $per_mac |")
  done
done

table=$(
  echo "| core | model | flash: .text+.rodata (B) | of which model data (B) | engine code (B) | RAM: .data+.bss (B) | peak stack (B) | steps | instructions / inference | instructions / extra step | MACs / step | instructions / MAC |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
)
echo "$table"
[ "$write" = 1 ] || exit 0

section=$(cat <<EOF
## Cortex-M cost card

Regenerate with \`tools/cost-card.sh\` (QEMU 7.2, \`cargo build --release\`, $(rustc --version | cut -d' ' -f1-2)).
One firmware per model and core (\`firmware/src/bin/mcu_cost.rs\`, \`TINYRNN_COST_MODEL=<model>\`): the
model alone, one inference and one extra step between two markers, semihosting exit.

- **flash**: \`.text + .rodata\` of that whole firmware (runtime, model, inference code, one input);
  **model data**: the model's weights and vocabulary in it (\`WEIGHT_BYTES + VOCAB_BYTES\`);
  **engine code**: the inference's instructions, \`.text\` of that firmware minus \`.text\` of the
  same firmware measuring no model (\`TINYRNN_COST_MODEL=none\`): tinyrnn's code for that model
  (tokenizer, frontend, layer, cell, head), \`libm\`'s \`expf\`, soft-float and \`memcpy\` helpers,
  and the measuring code; constant tables (\`.rodata\`) are not counted.
- **RAM**: \`.data + .bss\`; the recurrent state and all scratch live on the stack, in
  **peak stack**: measured by painting (cortex-m-rt \`paint-stack\`; gdb stops the firmware when
  the inference returns and finds the deepest word no longer painted).
- **instructions**: executed guest instructions counted exactly by the \`regioninsn\` QEMU plugin
  (\`tools/qemu/regioninsn.c\`), for one inference (text models: \`classify_text\` of
  "$(sed -n 's/^const TEXT: &str = "\(.*\)";/\1/p' firmware/src/bin/mcu_cost.rs)", tokenizer included; sensor
  models: \`classify\` of a recorded test series) and for one extra \`step\`.
- **instructions / MAC**: instructions of the inference over its multiply-accumulates,
  steps × MACs/step + the head's. M0 and M3 have no FPU: every float operation is a library call.

$table
EOF
)
bench=BENCHMARKS.md
if [ -f "$bench" ] && grep -q '^## Cortex-M cost card' "$bench"; then
  # Replace the section, up to the next "## " heading.
  awk -v section="$section" '
    /^## Cortex-M cost card/ {print section; skip = 1; next}
    skip && /^## / {skip = 0; print ""}
    !skip {print}
  ' "$bench" >"$bench.tmp" && mv "$bench.tmp" "$bench"
else
  if [ -f "$bench" ]; then printf '\n%s\n' "$section" >>"$bench"; else printf '# Benchmarks\n\n%s\n' "$section" >"$bench"; fi
fi
echo "wrote the section \"Cortex-M cost card\" of $bench" >&2
