#!/usr/bin/env bash
# Edit-compile loop benchmark. Debug builds, dependencies already built, on one machine in
# one run:
#  1. handler edit: the rebuild (`cargo build`) after editing one handler body of a project
#     generated from SPEC (default specs/shop.yaml), against the same kind of edit in the
#     hand-written single-crate axum + sqlx server in bench/reference; interleaved rounds,
#     each with a different edit. Target: generated / reference <= 1.2.
#  2. spec change: one more field in a schema, then `gen regen` and `cargo build`.
#     Target: <= 10 s.
#  3. `cargo test` of the fresh project: how many tests run, and how many of them are the
#     runtime's own unit tests (target: none).
# Prints every round, the medians and the verdicts. See bench/README.md.
#
#   scripts/edit-compile.sh [SPEC]
#
# Settings (environment):
#   EDIT_ROUNDS=5          measured rounds of each edit
#   EDIT_HANDLER=products  the handler file (src/handlers/NAME.rs) edited in the project
#   EDIT_ANCHOR=...        the line after which the edit goes (default: the first handler's
#                          opening line, `-> Result<..., Problem> {`)
#   EDIT_SCHEMA=Product    the schema that gains a field in step 2
#   EDIT_STRICT=1          exit 1 when a target is missed
#   EDIT_KEEP=1            keep the temporary directory
#   EDIT_GEN=path          the `gen` binary to generate with (default: this checkout's), e.g.
#                          one built from an older commit for a before/after comparison
#   CARGO_TARGET_DIR       where both projects are built (default target/edit-compile)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
spec=$(cd "$(dirname "${1:-specs/shop.yaml}")" && pwd)/$(basename "${1:-specs/shop.yaml}")
rounds=${EDIT_ROUNDS:-5}
handler=${EDIT_HANDLER:-products}
anchor=${EDIT_ANCHOR:-'Problem> {'}
schema=${EDIT_SCHEMA:-Product}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/edit-compile}
export CARGO_TERM_COLOR=never

work=$(mktemp -d)
cleanup() { if [ "${EDIT_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

if [ -n "${EDIT_GEN:-}" ]; then
  gen=$EDIT_GEN
else
  cargo build --quiet --bin gen
  gen=$root/target/debug/gen
fi
git_quiet() { git -c user.name=bench -c user.email=bench@example.com "$@" >/dev/null; }

project=$work/project
"$gen" new "$spec" --out "$project" --name edit_bench >/dev/null 2>&1
(cd "$project" && git_quiet init -q && git_quiet add -A && git_quiet commit -q -m new)
reference=$work/reference
mkdir -p "$reference"
cp -r bench/reference/Cargo.toml bench/reference/Cargo.lock bench/reference/src "$reference/"

# Seconds taken by `cargo build` in $1.
build_seconds() {
  local start end
  start=$(date +%s.%N)
  (cd "$1" && cargo build --quiet)
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

# Inserts a statement that differs per round after the first line of $1 containing $2
# (comments skipped).
edit_body() {
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
path, anchor, round_ = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(path).read().split("\n")
at = next((i for i, line in enumerate(lines) if anchor in line and not line.lstrip().startswith("//")), None)
if at is None:
    sys.exit(f"{path} has no line containing {anchor!r}")
lines.insert(at + 1, f"    std::hint::black_box({round_}_u64); // edit-compile round {round_}")
open(path, "w").write("\n".join(lines))
EOF
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "== warm builds (dependencies and the first build of each; not measured)"
build_seconds "$reference" >/dev/null
build_seconds "$project" >/dev/null
# One unmeasured edit each, so incremental caches are in their steady state.
edit_body "$reference/src/main.rs" 'let Path(id) = pet_id?;' 0
build_seconds "$reference" >/dev/null
edit_body "$project/src/handlers/$handler.rs" "$anchor" 0
build_seconds "$project" >/dev/null

echo "== 1. handler edit, then cargo build (debug), $rounds rounds"
printf '%-6s %-12s %-12s %s\n' round generated reference ratio
gen_times=()
ref_times=()
for round in $(seq 1 "$rounds"); do
  edit_body "$project/src/handlers/$handler.rs" "$anchor" "$round"
  g=$(build_seconds "$project")
  edit_body "$reference/src/main.rs" 'let Path(id) = pet_id?;' "$round"
  r=$(build_seconds "$reference")
  gen_times+=("$g")
  ref_times+=("$r")
  printf '%-6s %-12.2f %-12.2f %.2f\n' "$round" "$g" "$r" "$(echo "$g / $r" | bc -l)"
done
gen_median=$(printf '%s\n' "${gen_times[@]}" | median)
ref_median=$(printf '%s\n' "${ref_times[@]}" | median)
ratio=$(echo "$gen_median / $ref_median" | bc -l)
printf 'median: generated %.2f s, reference %.2f s, ratio %.2f (target <= 1.20)\n' \
  "$gen_median" "$ref_median" "$ratio"
missed=0
if [ "$(echo "$ratio > 1.2" | bc)" = 1 ]; then echo "MISSED: handler edit ratio"; missed=1; fi

echo "== 2. one more field in $schema, gen regen, cargo build"
(cd "$project" && git_quiet add -A && git_quiet commit -q -m edits)
spec_file=$project/$(basename "$spec")
[ -f "$spec_file" ] || spec_file=$(ls "$project"/openapi.*)
python3 - "$spec_file" "$schema" <<'EOF'
import sys
path, schema = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
start = next(i for i, line in enumerate(lines) if line.strip() == f"{schema}:")
indent = len(lines[start]) - len(lines[start].lstrip())
at = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "properties:")
inner = len(lines[at + 1]) - len(lines[at + 1].lstrip())
lines.insert(at + 1, " " * inner + "edit_compile_note: {type: string, maxLength: 80}")
open(path, "w").write("\n".join(lines))
EOF
start=$(date +%s.%N)
(cd "$project" && "$gen" regen >/dev/null 2>&1)
regen_done=$(date +%s.%N)
(cd "$project" && cargo build --quiet)
end=$(date +%s.%N)
regen_s=$(echo "$regen_done - $start" | bc)
total_s=$(echo "$end - $start" | bc)
printf 'gen regen %.2f s, then cargo build: %.2f s in all (target <= 10 s)\n' "$regen_s" "$total_s"
if [ "$(echo "$total_s > 10" | bc)" = 1 ]; then echo "MISSED: spec change loop"; missed=1; fi

echo "== 3. cargo test of the project: which tests run"
listing=$(cd "$project" && cargo test --quiet -- --list 2>/dev/null | grep ': test$' || true)
total=$(printf '%s\n' "$listing" | grep -c ': test$' || true)
runtime=$(printf '%s\n' "$listing" | grep -c 'runtime::.*: test$' || true)
echo "$total tests, $runtime of them the runtime's own unit tests (target: 0)"
if [ "$runtime" != 0 ]; then echo "MISSED: the runtime's unit tests run in the project's cargo test"; missed=1; fi

if [ "${EDIT_STRICT:-0}" = 1 ] && [ "$missed" = 1 ]; then exit 1; fi
