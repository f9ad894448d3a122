#!/usr/bin/env bash
# Instructions per request, counted with callgrind: the steady figure behind
# scripts/bench-crud.sh. Requests/s on a shared 2-core machine move by 10-15 % between
# identical runs; instruction counts repeat within about 1 %. Each server (the reference in
# bench/reference and a generated project, default generated/petstore) runs under
# callgrind on a fresh SQLite database; one keep-alive client seeds it, warms it up, then
# sends a fixed number of GET /pets/{id} and POST /pets. Counters are zeroed before and
# dumped after each measured batch, so start-up and seeding are not counted.
# Needs valgrind (Debian package) and the release builds bench-crud.sh makes.
#
#   scripts/instructions-crud.sh [GENERATED_PROJECT]
#
# Settings (environment): INSTR_REQUESTS=2000 requests per measured batch;
# CARGO_TARGET_DIR as for bench-crud.sh (default target/bench-crud); INSTR_KEEP=1 keeps the
# callgrind files (for callgrind_annotate).
set -euo pipefail

project=${1:-generated/petstore}
project=$(cd "$project" && pwd)
cd "$(dirname "$0")/.."
root=$PWD
requests=${INSTR_REQUESTS:-2000}
port=18090
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/bench-crud}
# vgdb (behind callgrind_control) names its pipes after USER and HOST: both sides need the
# same (the servers get HOST=127.0.0.1, so callgrind_control does too).
export USER=${USER:-$(id -un)} LOGNAME=${LOGNAME:-$(id -un)}

for tool in valgrind callgrind_control curl; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install -y valgrind curl)" >&2; exit 1; }
done

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${INSTR_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

build() {
  nice -n 19 cargo build --release --bins --quiet --manifest-path "$1/Cargo.toml" \
    --message-format=json-render-diagnostics |
    grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4
}
ref_bin=$(build "$root/bench/reference")
gen_bin=$(build "$project")
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

# curl_config FILE COUNT KIND TOKEN: a curl config of COUNT requests of KIND (get/post).
curl_config() {
  local file=$1 count=$2 kind=$3 token=$4 i
  : >"$file"
  for i in $(seq "$count"); do
    if [ "$i" -gt 1 ]; then echo next >>"$file"; fi
    if [ "$kind" = get ]; then
      printf 'url = "http://127.0.0.1:%s/pets/%s"\n' "$port" $(((i * 7919) % 500 + 1)) >>"$file"
    else
      cat >>"$file" <<EOF
url = "http://127.0.0.1:$port/pets"
header = "Content-Type: application/json"
header = "Authorization: Bearer $token"
data = "{\"name\":\"Rex\",\"status\":\"available\",\"tag\":\"dog\",\"birth_date\":\"2021-04-17\",\"weight_kg\":12.5,\"microchip_id\":\"3fa85f64-5717-4562-b3fc-2c963f66afa6\"}"
EOF
    fi
    printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' >>"$file"
  done
}

# measure NAME BINARY TOKEN_COMMAND...: prints "NAME GET n POST n" (instructions per request).
measure() {
  local name=$1 bin=$2 token out
  shift 2
  out=$work/$name
  mkdir -p "$out"
  DATABASE_URL="sqlite://$out/db.sqlite?mode=rwc" JWT_SECRET=$secret HOST=127.0.0.1 PORT=$port \
    RATE_LIMIT_PER_SECOND=0 RUST_LOG=info \
    valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.%p" "$bin" >"$out/log" 2>&1 &
  server=$!
  for _ in $(seq 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/pets/1"; then break; fi
    sleep 0.2
  done
  token=$(JWT_SECRET=$secret "$@")
  curl_config "$out/seed" 500 post "$token"
  curl_config "$out/get" "$requests" get "$token"
  curl_config "$out/post" "$requests" post "$token"
  curl -s -K "$out/seed" | sort | uniq -c | awk -v n="$name" '$2 != 201 {print n ": seeding answered " $2 " x" $1 > "/dev/stderr"}'
  curl -s -K "$out/get" >/dev/null
  local line=$name op dumps=0
  for op in get post; do
    HOST=127.0.0.1 callgrind_control -z "$server" >/dev/null 2>&1
    curl -s -K "$out/$op" | sort | uniq -c | awk -v n="$name" -v op="$op" '$2 !~ /^20/ {print n " " op ": " $2 " x" $1 > "/dev/stderr"}'
    HOST=127.0.0.1 callgrind_control -d "$op" "$server" >/dev/null 2>&1
    sleep 0.5
    # Dumps are numbered in order: callgrind.PID.1 for GET, .2 for POST.
    dumps=$((dumps + 1))
    local total
    total=$(grep -h '^totals:\|^summary:' "$out/callgrind.$server.$dumps" | head -1 | awk '{print $2}')
    line="$line ${op^^} $((total / requests))"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  echo "$line"
}

echo "instructions per request ($requests requests per batch, one keep-alive client, RUST_LOG=info)"
ref=$(measure reference "$ref_bin" "$ref_bin" token bench)
gen=$(measure generated "$gen_bin" "$gen_bin" token --sub bench --scopes '')
echo "$ref"
echo "$gen"
awk -v r="$ref" -v g="$gen" 'BEGIN {
  split(r, a, " "); split(g, b, " ")
  printf "generated / reference: GET %.2f, POST %.2f\n", b[3] / a[3], b[5] / a[5]
}'
