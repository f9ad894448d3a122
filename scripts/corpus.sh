#!/usr/bin/env bash
# The corpus gate: generate a project for every spec in the robustness corpus, build it and
# run its generated contract and platform tests, all with one shared target directory. Each
# project must also be clippy-clean (-D warnings). Prints a table and a closing line
# `N passed, M failed`; exits 1 when any spec fails.
#
#   scripts/corpus.sh                 every spec in ../shared/specs-corpus (large/ included)
#   scripts/corpus.sh --large-check   large/ specs are generated and type-checked only
#                                     (`cargo check --all-targets`, no warning allowed)
#   scripts/corpus.sh FILE...         just these specs
#
# Environment: CORPUS_DIR (default ../shared/specs-corpus), CORPUS_OUT (default
# target/corpus), SPECGEN_TEST_TARGET_DIR (shared CARGO_TARGET_DIR for the projects),
# CORPUS_KEEP=1 to keep every generated project and its build artifacts.
#
# Disk: 42 projects' test binaries and incremental caches would take tens of GB in the
# shared target directory, so each spec's own artifacts (its package's units and the test
# binaries `contract`/`platform`) are deleted when it is done, and its project too when it
# passed; incremental compilation is off (a one-shot build gains nothing from it). The
# dependencies, built once, stay.
#
# Time: every project ships the same runtime crate (`runtime/`, differing only in the
# credential features its spec needs). A path dependency is a new package at every path,
# and a rewritten file looks changed to cargo, so the runtime would be checked and built
# again for each spec: about half of a small spec's time. So every spec is generated at
# the same path (`$out/project`, moved to `$out/<spec>` when it fails or is kept), and the
# runtime's files, as long as their content is the one the first spec got, keep that
# first spec's modification time: each distinct runtime (one per feature set) is built
# once for the whole gate, and the project is byte for byte what `gen new` wrote. The
# generator is the debug build CI has already made.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=${CORPUS_DIR:-$root/../shared/specs-corpus}
out=${CORPUS_OUT:-$root/target/corpus}
target=${SPECGEN_TEST_TARGET_DIR:-$root/target/generated-projects}
large_check=false
specs=()
for arg in "$@"; do
  case $arg in
    --large-check) large_check=true ;;
    *) specs+=("$arg") ;;
  esac
done
if [ ${#specs[@]} -eq 0 ]; then
  mapfile -t specs < <(find "$corpus" -maxdepth 2 -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -not -path '*/docs/*' | sort)
fi

cargo build --quiet --bin gen || exit 1
export CARGO_INCREMENTAL=0
keep=${CORPUS_KEEP:-0}

# Deletes what building one corpus project left in the shared target directory.
forget_artifacts() {
  local package=$1 crate=${1//-/_}
  local dir
  for dir in "$target"/debug/deps "$target"/debug/.fingerprint "$target"/debug/build "$target"/debug/incremental; do
    [ -d "$dir" ] || continue
    # The project's crate, its generated crate (`$package-generated`) and its runtime crate
    # (built per project: a path dependency is its own package at every path).
    find "$dir" -mindepth 1 -maxdepth 1 \( -name "$package-*" -o -name "$crate-*" -o -name "lib$crate-*" \
      -o -name 'contract-*' -o -name 'platform-*' -o -name 'libcontract-*' -o -name 'libplatform-*' \) -exec rm -rf {} +
  done
  rm -f "$target/debug/$package" "$target/debug/$crate.d" "$target/debug/$package.d"
}

# Gives the runtime's files in `$1` the modification time they had in the first project
# whose runtime sources had the same content (see Time above), so cargo reuses what it
# built then. A runtime with other content keeps its new times and is rebuilt.
runtime_digest=
keep_runtime_times() {
  local runtime=$1/runtime digest
  digest=$(cd "$runtime" && find src -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  if [ -z "$runtime_digest" ]; then
    runtime_digest=$digest
  fi
  if [ "$digest" = "$runtime_digest" ]; then
    # The project's own manifest too: clippy lists the workspace's Cargo.toml (its lint
    # settings) among every member's inputs, the runtime's included. Only the project's
    # package name differs between specs there.
    find "$runtime" "$1/Cargo.toml" -type f -exec touch -d '2000-01-01 00:00:00 UTC' {} +
  fi
}

free_space() { df -h --output=avail "$target" 2>/dev/null | tail -1 | tr -d ' '; }
mkdir -p "$target"
echo "free disk beside the shared target directory: $(free_space)"
gen=$root/target/debug/gen
mkdir -p "$out"
passed=0
failed=0
rows=()
for spec in "${specs[@]}"; do
  name=$(basename "$spec"); name=${name%.*}
  package=corpus-$(printf '%s' "$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '-' | sed 's/-\+/-/g; s/-$//')
  project=$out/project
  log=$out/$name.log
  rm -rf "$project" "$out/$name"
  start=$(date +%s)
  stage=generate
  ok=true
  if ! "$gen" new "$spec" --out "$project" --name "$package" >"$log" 2>&1; then
    ok=false
  fi
  warnings=$(grep -c '^warning:' "$log" || true)
  mode=test
  if $ok; then
    keep_runtime_times "$project"
  fi
  if $ok; then
    if $large_check && [[ $spec == */large/* ]]; then
      # Generated and type-checked, as the corpus gate asks of the large specs; a compiler
      # warning still fails. (Not RUSTFLAGS=-D warnings: that would rebuild every
      # dependency in the shared target directory, twice.)
      mode=check
      stage=check
      checked=$(cd "$project" && CARGO_TARGET_DIR=$target cargo check --all-targets --quiet 2>&1) || ok=false
      printf '%s\n' "$checked" >>"$log"
      if grep -q '^warning' <<<"$checked"; then ok=false; fi
    else
      stage=clippy
      (cd "$project" && CARGO_TARGET_DIR=$target cargo clippy --all-targets --quiet -- -D warnings) >>"$log" 2>&1 || ok=false
      if $ok; then
        # The spec's own tests: the contract and platform suites. The runtime's unit tests
        # are the same code in every project, and run on every golden project in CI;
        # building them again per spec would cost a third of the corpus gate's time.
        stage=test
        (cd "$project" && CARGO_TARGET_DIR=$target cargo test --quiet --test contract --test platform) >>"$log" 2>&1 || ok=false
      fi
    fi
  fi
  seconds=$(( $(date +%s) - start ))
  tests=$(grep -oE 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
  if $ok; then
    passed=$((passed + 1)); status=ok
  else
    failed=$((failed + 1)); status="FAILED at $stage (see $log and $out/$name)"
    # The log's end goes to the output: CI keeps only what was printed.
    echo "--- $name: the last lines of $log (free disk: $(free_space))"
    tail -n 40 "$log" | sed 's/^/    /'
  fi
  if [ "$keep" != 1 ]; then
    forget_artifacts "$package"
  fi
  if [ "$keep" = 1 ] || ! $ok; then
    mv "$project" "$out/$name"
  fi
  rows+=("$(printf '%-52s %-6s %6s %8s %5ss  %s' "$name" "$mode" "$tests" "$warnings" "$seconds" "$status")")
  printf '%s\n' "${rows[-1]}"
done

printf '\n%-52s %-6s %6s %8s %6s  %s\n' spec mode tests warnings time result
printf '%s\n' "${rows[@]}"
echo
echo "free disk at the end: $(free_space)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
