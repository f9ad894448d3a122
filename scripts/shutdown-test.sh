#!/usr/bin/env bash
# Graceful shutdown of a generated server, end to end (and, first, that each of the
# binary's commands answers --help): start the golden petstore binary,
# begin a slow request (a body uploaded at 20 KB/s, about 4 s), send SIGTERM one second in,
# and require that the request still gets its answer, that new connections are refused
# meanwhile, and that the server exits 0 afterwards.
#
#   scripts/shutdown-test.sh [PROJECT]     (default generated/petstore)
set -euo pipefail
cd "$(dirname "$0")/.."
project=${1:-generated/petstore}
target=${SPECGEN_TEST_TARGET_DIR:-$PWD/target/generated-projects}
package=$(grep -m1 '^name' "$project/Cargo.toml" | sed 's/.*"\(.*\)".*/\1/')
(cd "$project" && CARGO_TARGET_DIR=$target cargo build --quiet)
bin=$target/debug/$package
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT

# Every command explains itself (the server's log points new users at `token --help`).
for command in token hash-password config healthcheck serve; do
  help=$("$bin" "$command" --help) || { echo "\`$command --help\` failed"; exit 1; }
  grep -q '^usage: ' <<<"$help" || { echo "\`$command --help\` printed no usage: $help"; exit 1; }
done
grep -q -- '--sub SUBJECT' <<<"$("$bin" token --help)" || { echo "\`token --help\` does not say how to call it"; exit 1; }
echo "every command's --help: ok"

port=18499
export JWT_SECRET=shutdown-test-secret-0123456789abcdef0123
export API_KEYS=shutdown=shutdown-key
export DATABASE_URL="sqlite://$work/app.db?mode=rwc"
export RATE_LIMIT_PER_SECOND=0
HOST=127.0.0.1 PORT=$port SHUTDOWN_GRACE_SECS=20 RUST_LOG=info "$bin" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" || { cat "$work/server.log"; echo "server did not start"; exit 1; }

# A valid pet padded with 80 KB of JSON whitespace: the handler cannot answer before the
# last byte arrives, and then it creates the pet (201).
python3 -c 'import json; print(json.dumps({"name": "slow"}) + " " * 80000)' >"$work/body.json"
token=$("$bin" token --sub shutdown)
started=$(date +%s.%N)
curl -s -o "$work/answer" -w '%{http_code}' --limit-rate 20k -X POST "http://127.0.0.1:$port/pets" \
  -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
  --data-binary @"$work/body.json" >"$work/status" &
client=$!
sleep 1
kill -TERM "$server"
sleep 0.5
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"; then
  echo "FAILED: a new request was served after SIGTERM"; exit 1
fi
wait "$client" || { echo "FAILED: the slow request lost its connection"; cat "$work/server.log"; exit 1; }
status=$(cat "$work/status")
elapsed=$(python3 -c "import time; print(round(time.time() - $started, 1))")
set +e
wait "$server"; code=$?
set -e
server=
echo "slow request answered $status after ${elapsed}s; server exit code $code"
grep -q "shutting down" "$work/server.log" || { echo "FAILED: no shutdown log line"; exit 1; }
[ "$status" = 201 ] || { echo "FAILED: answered $status, not 201"; cat "$work/answer"; exit 1; }
python3 -c "import sys; sys.exit(0 if float('$elapsed') >= 2 else 1)" || { echo "FAILED: the request was not slow (${elapsed}s): the test proves nothing"; exit 1; }
[ "$code" -eq 0 ] || { echo "FAILED: exit code $code"; cat "$work/server.log"; exit 1; }
echo "graceful shutdown: ok"
