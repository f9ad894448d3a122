#!/usr/bin/env bash
# CRUD throughput benchmark: a generated project (default generated/petstore) against the
# hand-written axum + sqlx reference in bench/reference, both on SQLite, for
# GET /pets/{petId} and POST /pets. wrk drives each server over loopback in interleaved
# rounds; the script prints every run, the medians, and the generated/reference ratios
# against the targets (requests/s >= 0.9x, p99 latency <= 1.2x). See bench/README.md.
# Needs wrk and, to checkpoint the databases between runs, sqlite3 (Debian packages).
#
#   scripts/bench-crud.sh [GENERATED_PROJECT]
#
# Settings (environment):
#   BENCH_DURATION=10s   length of one wrk run        BENCH_ROUNDS=5       measured rounds
#   BENCH_WARMUP=3s      unrecorded run per server and endpoint first (0 skips it)
#   BENCH_THREADS=2      wrk threads                  BENCH_CONNECTIONS=32 wrk connections
#   BENCH_SEED=1000      pets created before the runs; GET spreads over ids 1..BENCH_SEED
#   BENCH_REF_PORT=18081 BENCH_GEN_PORT=18082         ports on 127.0.0.1
#   BENCH_STRICT=1       exit 1 when a target is missed or a run is not valid
#   BENCH_KEEP=1         keep the temporary directory (databases, logs, wrk output)
#   BENCH_RUST_LOG=info  RUST_LOG for both servers (the generated default; a shell RUST_LOG
#                        is not inherited, so debug logging cannot skew the figures)
#   CARGO_TARGET_DIR     where both servers are built (default target/bench-crud)
set -euo pipefail

project=${1:-generated/petstore}
project=$(cd "$project" && pwd)
cd "$(dirname "$0")/.."
root=$PWD

duration=${BENCH_DURATION:-10s}
rounds=${BENCH_ROUNDS:-5}
warmup=${BENCH_WARMUP:-3s}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-32}
seed=${BENCH_SEED:-1000}
ref_port=${BENCH_REF_PORT:-18081}
gen_port=${BENCH_GEN_PORT:-18082}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/bench-crud}

if ! command -v wrk >/dev/null; then
  echo "wrk is not installed: apt-get install -y wrk" >&2
  exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Builds the release binary of a cargo project and prints its path. Builds run at the
# lowest priority so they do not disturb whatever else the machine is doing.
build() {
  nice -n 19 cargo build --release --bins --quiet --manifest-path "$1/Cargo.toml" \
    --message-format=json-render-diagnostics |
    grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4
}

echo "building bench/reference and $project (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
ref_bin=$(build "$root/bench/reference")
gen_bin=$(build "$project")

# Both servers get the same secret; each mints its own token with it.
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

# start NAME BINARY PORT: a server on a fresh database in $work.
start() {
  DATABASE_URL="sqlite://$work/$1.db?mode=rwc" JWT_SECRET=$secret HOST=127.0.0.1 PORT=$3 RATE_LIMIT_PER_SECOND=0 \
    RUST_LOG=${BENCH_RUST_LOG:-info} "$2" >"$work/$1.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$3/"; then return; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$1 exited at start-up:" >&2
      cat "$work/$1.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$1 is not answering on port $3" >&2
  exit 1
}

# seed NAME PORT TOKEN: creates $seed pets through POST /pets (one curl, keep-alive) and
# prints how the server answered, e.g. "1000x201".
seed() {
  local config=$work/$1-seed.curl body i
  : >"$config"
  for i in $(seq "$seed"); do
    body="{\\\"name\\\":\\\"pet-$i\\\",\\\"tag\\\":\\\"seed\\\",\\\"weight_kg\\\":$((i % 90 + 1)).5}"
    if [ "$i" -gt 1 ]; then echo next >>"$config"; fi
    cat >>"$config" <<EOF
url = "http://127.0.0.1:$2/pets"
header = "Content-Type: application/json"
header = "Authorization: Bearer $3"
data = "$body"
output = "/dev/null"
write-out = "%{http_code}\\n"
EOF
  done
  curl -s -K "$config" | sort | uniq -c | awk '{printf "%s%sx%s", (NR > 1 ? " " : ""), $1, $2}'
}

# SQLite cannot reset the WAL while writes keep coming, so a POST run leaves it at hundreds
# of MB (about 1 GB per 100k inserts) and every later run, GET included, pays for it, the
# server that inserted more paying more. Between runs, with both servers idle, fold each WAL
# back into its database so that every run starts from the same state.
checkpoint() {
  if ! command -v sqlite3 >/dev/null; then return; fi
  local db
  for db in "$work/reference.db" "$work/generated.db"; do
    sqlite3 "$db" 'PRAGMA busy_timeout = 5000' 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
  done
}
if ! command -v sqlite3 >/dev/null; then
  echo "note: sqlite3 is not installed (apt-get install -y sqlite3): the WAL is not checkpointed" \
    "between runs, so later runs are slower" >&2
fi

start reference "$ref_bin" "$ref_port"
start generated "$gen_bin" "$gen_port"
ref_token=$(JWT_SECRET=$secret "$ref_bin" token bench)
gen_token=$(JWT_SECRET=$secret "$gen_bin" token --sub bench --scopes '')
echo "seeding $seed pets: reference $(seed reference "$ref_port" "$ref_token"), generated $(seed generated "$gen_port" "$gen_token")"
checkpoint

# run NAME ENDPOINT DURATION OUT: one wrk run against a server.
run() {
  local port token
  if [ "$1" = reference ]; then port=$ref_port token=$ref_token; else port=$gen_port token=$gen_token; fi
  case $2 in
    GET) wrk -t"$threads" -c"$connections" -d"$3" --latency -s bench/wrk/get.lua \
      "http://127.0.0.1:$port" -- "$seed" >"$4" ;;
    POST) wrk -t"$threads" -c"$connections" -d"$3" --latency -s bench/wrk/post.lua \
      "http://127.0.0.1:$port/pets" -- "$token" >"$4" ;;
  esac
}

# The figures of one wrk output: requests/s, p99 in ms, non-2xx responses, socket errors.
parse() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000
      if (v ~ /m$/) return v * 60000
      return v * 3600000
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { errors = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %d %d\n", rps, p99, non2xx, errors }
  ' "$1"
}

if [ "$warmup" != 0 ]; then
  echo "warming up ($warmup per server and endpoint)"
  for endpoint in GET POST; do
    for name in generated reference; do
      run "$name" "$endpoint" "$warmup" /dev/null
      checkpoint
    done
  done
fi

echo "measuring: $rounds rounds x {GET, POST} x {generated, reference}, $duration each," \
  "$threads threads, $connections connections"
results=$work/results.txt
: >"$results"
printf '%-5s %-4s %-9s %10s %9s %9s %7s\n' round op server "req/s" "p99 ms" non-2xx errors
for round in $(seq "$rounds"); do
  # Alternate which server goes first, so neither always gets the warmer machine.
  if [ $((round % 2)) = 1 ]; then order="generated reference"; else order="reference generated"; fi
  for endpoint in GET POST; do
    for name in $order; do
      out=$work/$name-$endpoint-$round.txt
      run "$name" "$endpoint" "$duration" "$out"
      checkpoint
      read -r rps p99 non2xx errors < <(parse "$out")
      echo "$endpoint $name $rps $p99 $non2xx $errors" >>"$results"
      printf '%-5s %-4s %-9s %10s %9s %9s %7s\n' "$round" "$endpoint" "$name" "$rps" "$p99" "$non2xx" "$errors"
    done
  done
done

# Medians over the rounds, the ratios generated/reference, and the verdict.
echo
awk '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
      t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
    }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    key = $1 " " $2
    rps[key] = rps[key] " " $3; p99[key] = p99[key] " " $4
    bad[key] += $5 + $6
    # Rounds pair the two servers on the same machine state: the ratio within a round.
    round[key] = round[key] + 1
    if ($2 == "generated") gen_rps[$1, round[key]] = $3; else ref_rps[$1, round[key]] = $3
  }
  END {
    printf "%-4s %-9s %14s %13s %17s\n", "op", "server", "median req/s", "median p99", "non-2xx+errors"
    for (e = 1; e <= 2; e++) {
      op = e == 1 ? "GET" : "POST"
      for (s = 1; s <= 2; s++) {
        name = s == 1 ? "generated" : "reference"; key = op " " name
        r[key] = median(rps[key]); p[key] = median(p99[key])
        printf "%-4s %-9s %14.0f %10.2f ms %17d\n", op, name, r[key], p[key], bad[key]
      }
    }
    print ""
    for (e = 1; e <= 2; e++) {
      op = e == 1 ? "GET" : "POST"; list = ""
      for (i = 1; i <= round[op " generated"]; i++) {
        if (ref_rps[op, i] > 0) list = list sprintf(" %.2f", gen_rps[op, i] / ref_rps[op, i])
      }
      printf "%s ratio in each round:%s (median %.2f)\n", op, list, median(list)
    }
    print ""
    failed = 0
    for (e = 1; e <= 2; e++) {
      op = e == 1 ? "GET" : "POST"; gen = op " generated"; ref = op " reference"
      rps_ratio = r[ref] > 0 ? r[gen] / r[ref] : 0
      p99_ratio = p[ref] > 0 ? p[gen] / p[ref] : 0
      verdict = rps_ratio >= 0.9 && p99_ratio <= 1.2 ? "PASS" : "FAIL"
      note = ""
      if (bad[gen] + bad[ref] > 0) {
        verdict = "INVALID"
        note = sprintf(" (%d generated, %d reference responses were non-2xx or errors)", bad[gen], bad[ref])
      }
      if (verdict != "PASS") failed = 1
      printf "%s ratio %.2f (target >= 0.9), p99 ratio %.2f (target <= 1.2): %s%s\n", op, rps_ratio, p99_ratio, verdict, note
    }
    exit failed
  }
' "$results" && status=0 || status=$?

if [ "${BENCH_STRICT:-0}" = 1 ]; then exit "$status"; fi
