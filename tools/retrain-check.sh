#!/usr/bin/env bash
# Retrains shipped models with their documented commands (MODELS.md) into a scratch directory
# and checks that the files are byte-for-byte the shipped ones.
#
#   tools/retrain-check.sh [seed] [sentiment] [motion] [vowels] [exercise] [melody] [g2p]   (default: all)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(seed sentiment motion vowels exercise melody g2p)
cargo build --quiet --release -p tinyrnn-train
train=target/release/tinyrnn-train
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for m in "${models[@]}"; do
  case $m in
    seed) args=(data/sentiment/seed_train.tsv --one-hot --cell rnn --hidden 64 --epochs 150 --lr 0.003
                --batch-size 8 --seed 0 --label-names negative,positive) ;;
    sentiment) args=(data/sentiment/uci_train.tsv data/sentiment/uci_train.tsv data/sentiment/vader_products.tsv
                     data/sentiment/vader_tweets.tsv
                     --val data/sentiment/uci_val.tsv --cell gru --embedding 12
                     --hidden 64 --vocab-size 1000 --min-count 2 --extra data/sentiment/lexicon.tsv
                     --extra-vocab 400 --unk-drop 0.1 --dropout 0.3 --stem --negation 3 --epochs 30
                     --patience 8 --lr 0.01 --batch-size 16 --seed 1 --label-names negative,positive) ;;
    motion) args=(data/sensor/BasicMotions_TRAIN.ts --val-split 0.25 --cell gru --hidden 32 --epochs 100
                  --patience 40 --lr 0.003 --batch-size 8 --crop 40 --noise 0.1 --seed 7) ;;
    vowels) args=(data/sensor/JapaneseVowels_TRAIN.ts --val-split 0.2 --cell gru --hidden 32 --epochs 80
                  --patience 25 --lr 0.003 --batch-size 8 --dropout 0.2 --seed 2 --conv 32:5:causal) ;;
    exercise) args=(data/sensor/Watch_TRAIN.ts --val data/sensor/Watch_VAL.ts --cell gru --hidden 32 --epochs 80
                    --patience 25 --lr 0.003 --batch-size 16 --noise 0.1 --dropout 0.2 --seed 2) ;;
    melody | g2p) args=() ;;
    *) echo "unknown model $m" >&2; exit 2 ;;
  esac
  if [ "$m" = g2p ]; then
    # The sequence-to-sequence model (MODELS.md).
    "$train" seq2seq data/g2p/train.tsv --test data/g2p/test.tsv --epochs 30 --lr 0.005 --embedding 24 \
      --out "$out/$m.safetensors" 2>/dev/null | grep -E "^  network"
  elif [ "$m" = melody ]; then
    # The generative model (MODELS.md); --samples 0 skips the class-consistency check, which
    # does not change the file.
    "$train" generate data/melody/oneills_train.tsv --val data/melody/oneills_val.tsv \
      --test data/melody/oneills_test.tsv --epochs 40 --patience 5 --seed 1 --samples 0 \
      --out "$out/$m.safetensors" 2>/dev/null | grep -E "^  network"
  else
    "$train" train "${args[@]}" --no-plot --out "$out/$m.safetensors" | grep -E "^(total training time|accuracy)" | tail -2
  fi
  if cmp -s "$out/$m.safetensors" "models/$m.safetensors"; then
    echo "$m: identical to models/$m.safetensors"
  else
    echo "$m: DIFFERS from models/$m.safetensors" >&2
    status=1
  fi
done
exit $status
