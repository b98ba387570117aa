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
# The models that emit tokens (task "generate": melody, 1→N; "seq2seq": g2p, N→M) get a table of
# their own, instructions per token (section "Cortex-M cost card: generated tokens"): mcu_cost
# prints one `tokens` line per measurement (what, tokens, steps, MACs per step, and which of
# its regions hold the instructions), summed from the plugin's per-region counts.
#
#   tools/cost-card.sh               (needs qemu-system-arm, gdb-multiarch, gcc: installs them
#                                     with apt-get when missing and running as root)
#   TARGETS="thumbv7em-none-eabihf" MODELS="seed" tools/cost-card.sh   (a subset: printed only)
#   tools/cost-card.sh --no-write    (everything, printed only)
#   CARD=tokens tools/cost-card.sh   (the token models only: writes their section alone;
#                                     CARD=classify: the other models only)
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
card=${CARD:-all}
emits_tokens() { # MODEL -> whether its file says task "generate" or "seq2seq"
  grep -aqE 'task[^,]*(generate|seq2seq)' <(head -c 4096 "models/$1.safetensors" 2>/dev/null)
}
if [ -n "${MODELS:-}" ]; then
  read -ra models <<<"$MODELS"
else
  models=()
  for f in models/*.safetensors; do
    [ -e "$f" ] || continue
    model=$(basename "$f" .safetensors)
    if emits_tokens "$model"; then
      [ "$card" = classify ] || models+=("$model")
    else
      [ "$card" = tokens ] || models+=("$model")
    fi
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

# The rows of the token models' table for ELF of MODEL on CORE (MACHINE), from its output OUT
# and instruction log LOG.
token_rows() {
  local elf=$1 model=$2 core=$3 machine=$4 out=$5 log=$6
  local flash line what units steps macs first stride count insns per_unit per_mac
  flash=$(( $(section_size "$elf" .text) + $(section_size "$elf" .rodata) ))
  while read -r line; do
    what=$(sed -n 's/.* what=\([^ ]*\).*/\1/p' <<<"$line")
    units=$(field "$line" units)
    steps=$(field "$line" steps)
    macs=$(field "$line" macs_per_step)
    first=$(field "$line" first)
    stride=$(field "$line" stride)
    count=$(field "$line" count)
    insns=$(awk -v f="$first" -v s="$stride" -v c="$count" \
      '/^region [0-9]+ insns: / {k = $2; if (k >= f && (k - f) % s == 0 && (k - f) / s < c) sum += $4}
       END {print sum + 0}' "$log")
    per_unit=$(awk -v i="$insns" -v u="$units" 'BEGIN {printf "%.0f", u ? i / u : 0}')
    per_mac=$(awk -v i="$insns" -v m=$(( steps * macs )) 'BEGIN {printf "%.2f", m ? i / m : 0}')
    token_table+=("| $core ($machine) | $model | $flash | $(describe "$model" "$what") | $units | $steps | $insns | $per_unit | $macs | $per_mac |")
  done < <(grep "^tokens $model " <<<"$out")
}
describe() { # MODEL WHAT -> what one row of the token table measures
  case "$1/$2" in
    melody/greedy) echo "1→N, greedy" ;;
    melody/top5) echo "1→N, top-5 at temperature 1" ;;
    melody/temperature1) echo "1→N, temperature 1" ;;
    g2p/encoder) echo "N→M encoder, per input letter" ;;
    g2p/decoder) echo "N→M decoder, per emitted phoneme" ;;
    *) echo "$2" ;;
  esac
}

rows=()
token_table=()
for target in "${targets[@]}"; do
  read -r machine core cpu <<<"$(board_of "$target")"
  if [ -z "${cpu:-}" ] || [ "$cpu" = - ]; then
    echo "cost-card.sh: no QEMU board for target $target in firmware/boards.txt" >&2
    exit 1
  fi
  # The same firmware without a model: what the engine's code is measured against (not needed
  # for the token models alone).
  base_text=0
  if [ "$card" != tokens ]; then
    (cd firmware && TINYRNN_COST_MODEL=none cargo build --quiet --profile "$profile" ${features:+--features "$features"} --target "$target" --bin mcu_cost)
    base_text=$(section_size "$target_dir/$target/$profile/mcu_cost" .text)
  fi
  for model in "${models[@]}"; do
    echo "== $target $model" >&2
    (cd firmware && TINYRNN_COST_MODEL=$model cargo build --quiet --profile "$profile" ${features:+--features "$features"} --target "$target" --bin mcu_cost)
    mkdir -p "$work/$target"
    elf=$work/$target/mcu_cost-$model.elf  # firmware/qemu-run.sh reads the target from the path
    cp "$target_dir/$target/$profile/mcu_cost" "$elf"
    log=$work/count-$target-$model.txt
    out=$(COUNT=1 COUNT_LOG=$log firmware/qemu-run.sh "$elf")
    if grep -q "^tokens $model " <<<"$out"; then
      token_rows "$elf" "$model" "$core" "$machine" "$out" "$log"
      continue
    fi
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

# Replaces the section of BENCHMARKS.md headed HEADING (up to the next "## " heading) with
# SECTION, or appends SECTION.
write_section() {
  local heading=$1 section=$2 bench=BENCHMARKS.md
  if [ -f "$bench" ] && grep -qxF "$heading" "$bench"; then
    awk -v heading="$heading" -v section="$section" '
      $0 == heading {print section; skip = 1; next}
      skip && /^## / {skip = 0; print ""}
      !skip {print}
    ' "$bench" >"$bench.tmp" && mv "$bench.tmp" "$bench"
  else
    if [ -f "$bench" ]; then printf '\n%s\n' "$section" >>"$bench"; else printf '# Benchmarks\n\n%s\n' "$section" >"$bench"; fi
  fi
  echo "wrote the section \"${heading#\#\# }\" of $bench" >&2
}

text=$(sed -n 's/^const TEXT: &str = "\(.*\)";/\1/p' firmware/src/bin/mcu_cost.rs)
compiler="QEMU 7.2, \`cargo build --release\`, $(rustc --version | cut -d' ' -f1-2)"

# Prints a Markdown table: its header row, its alignment row, then ROWS.
markdown_table() { # HEADER ALIGNMENT ROW...
  printf '%s\n' "$@"
}

if [ ${#rows[@]} -gt 0 ]; then
  table=$(markdown_table "| core | model | flash: .text+.rodata (B) | of which model data (B) | engine code (B) | RAM: .data+.bss (B) | peak stack (B) | steps | instructions / inference | instructions / extra step | MACs / step | instructions / MAC |" \
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" "${rows[@]}")
  echo "$table"
  if [ "$write" = 1 ]; then
    section=$(cat <<EOF
## Cortex-M cost card

Regenerate with \`tools/cost-card.sh\` ($compiler).
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
  "$text", tokenizer included; sensor
  models: \`classify\` of a recorded test series) and for one extra \`step\`.
- **instructions / MAC**: instructions of the inference over its multiply-accumulates,
  steps × MACs/step + the head's. M0 and M3 have no FPU: every float operation is a library call.

$table
EOF
    )
    write_section "## Cortex-M cost card" "$section"
  fi
fi

if [ ${#token_table[@]} -gt 0 ]; then
  tokens=$(markdown_table "| core | model | flash: .text+.rodata (B) | measured | tokens | steps | instructions | instructions / token | MACs / step | instructions / MAC |" \
    "|---|---|---:|---|---:|---:|---:|---:|---:|---:|" "${token_table[@]}")
  echo "$tokens"
  [ "$write" = 1 ] || exit 0
  section=$(cat <<EOF
## Cortex-M cost per generated token (1→N, N→M)

Regenerate with \`CARD=tokens tools/cost-card.sh\` (or \`tools/cost-card.sh\`, both cards; $compiler).
One firmware per model and core (\`firmware/src/bin/mcu_cost.rs\`, \`TINYRNN_COST_MODEL=melody\`
or \`g2p\`): the model alone, each measurement between the two markers, semihosting exit;
instructions counted exactly by the \`regioninsn\` QEMU plugin, as in the card above.

- **melody (1→N)**: \`GenerativeModel::generate\` of up to 64 tokens for the condition \`jig\`
  from \`Rng::new(2026)\`, one run per sampling mode; **instructions / token** is the run's
  instructions over the tokens it emitted. Per token that is one recurrent step, the head's
  logits over the 196-token vocabulary and the draw (greedy: an argmax; top-5: five passes to
  find the cut, then \`exp\` of the kept logits, twice; temperature: \`exp\` of every logit,
  twice), plus, once per run, the condition's \`h0\`. A run that draws \`</s>\` stops early: that
  step is counted, the token is not.
- **g2p (N→M)**: the words of "$text" one by one.
  **Encoder**: \`encode\` of each word's letters (tokenizer included) over the letters read.
  **Decoder**: the greedy decoding of each word (\`Seq2SeqModel::decoder\`) over the phonemes
  emitted; it takes one step per word more than the phonemes, the one that emits \`</s>\`,
  counted in its instructions.
- **MACs / step**: one step's multiply-accumulates (melody and the decoder: the recurrent step
  and the head; the encoder: the step); **instructions / MAC**: instructions over steps × MACs
  / step. M0 and M3 have no FPU: every float operation is a library call.
- **flash**: \`.text + .rodata\` of that whole firmware (runtime, model, all its measurements).

$tokens
EOF
  )
  write_section "## Cortex-M cost per generated token (1→N, N→M)" "$section"
fi
