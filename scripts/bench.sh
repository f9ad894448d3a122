#!/usr/bin/env bash
# Generation benchmark: for each spec (default: the three large corpus specs), the release
# `gen` is timed over several runs, with peak memory; then the generated project is
# type-checked with its dependencies already built. Prints a table; bench/README.md keeps it.
#
#   scripts/bench.sh [--runs N] [SPEC...]
#
# Figures are wall-clock on this machine (2 cores); run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=3
specs=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) specs+=("$1"); shift ;;
  esac
done
if [ ${#specs[@]} -eq 0 ]; then
  specs=("$root"/../shared/specs-corpus/large/*)
fi
target=${SPECGEN_TEST_TARGET_DIR:-$root/target/generated-projects}
cargo build --release --quiet --bin gen
gen=$root/target/release/gen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-28s %9s %10s %9s %10s %12s %10s\n' spec operations "load+lower" generate "peak MB" "rust lines" "cargo check"
for spec in "${specs[@]}"; do
  name=$(basename "$spec"); name=${name%.*}
  ops=$("$gen" validate "$spec" 2>&1 | grep -oE '\(([0-9]+) operations' | grep -oE '[0-9]+' || echo "?")
  lower_times=(); gen_times=(); peaks=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$out/time" "$gen" validate "$spec" >/dev/null 2>&1
    t=$(tail -1 "$out/time")
    lower_times+=("${t%% *}")
    rm -rf "$out/$name"
    /usr/bin/time -f '%e %M' -o "$out/time" "$gen" new "$spec" --out "$out/$name" --name bench-project >/dev/null 2>&1
    t=$(tail -1 "$out/time")
    gen_times+=("${t%% *}"); peaks+=("${t##* }")
  done
  lower=$(printf '%s\n' "${lower_times[@]}" | median)
  generate=$(printf '%s\n' "${gen_times[@]}" | median)
  peak=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
  lines=$(find "$out/$name/src" "$out/$name/tests" -name '*.rs' -print0 | xargs -0 cat | wc -l)
  # Type-check: once to build dependencies, then again after touching the crate.
  (cd "$out/$name" && CARGO_TARGET_DIR=$target cargo check --all-targets --quiet >/dev/null 2>&1) || true
  touch "$out/$name/src/lib.rs"
  start=$(date +%s.%N)
  if (cd "$out/$name" && CARGO_TARGET_DIR=$target cargo check --all-targets --quiet >/dev/null 2>&1); then
    check=$(printf '%.1fs' "$(echo "$(date +%s.%N) - $start" | bc)")
  else
    check=FAILED
  fi
  printf '%-28s %9s %9ss %8ss %10s %12s %10s\n' "$name" "$ops" "$lower" "$generate" "$((peak / 1024))" "$lines" "$check"
done
