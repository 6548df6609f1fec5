#!/usr/bin/env bash
# Runs every fuzz target under fuzz/ for SECONDS each (default 600), one after the other,
# on the stable toolchain (RUSTC_BOOTSTRAP=1), without a sanitizer: the crate forbids
# unsafe code, so the fuzzers look for panics, hangs, runaway memory and failed properties.
# Installs cargo-fuzz when it is missing. Crashes land in fuzz/artifacts/<target>/; copy
# each into fuzz/regressions/<target>/ once fixed, where `cargo test` replays it.
# Usage: bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(document structured checks admin differential)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo fuzz build -O -s none
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  # seeds: the kept regressions, and for documents every policy the project ships
  cp -n regressions/"$target"/* "corpus/$target/" 2>/dev/null || true
  if [ "$target" = document ]; then cp -n ../examples/*.json "corpus/$target/"; fi
  echo "== $target: $seconds s" >&2
  cargo fuzz run -O -s none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 2>&1 | tee "artifacts/$target.log" |
    grep -E "^#[0-9]+.*(pulse|DONE)|^Done|stat::|panicked|SUMMARY" || true
done
