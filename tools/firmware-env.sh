# Sourced (not run) by the tools that run cargo in firmware/, whose .cargo/config.toml has the
# QEMU runner: moves to the repository root, sets `root` to it, and makes a relative
# CARGO_TARGET_DIR absolute, so that it keeps pointing where it did from the root.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
if [ -n "${CARGO_TARGET_DIR:-}" ] && [ "${CARGO_TARGET_DIR#/}" = "$CARGO_TARGET_DIR" ]; then
  export CARGO_TARGET_DIR=$root/$CARGO_TARGET_DIR
fi
