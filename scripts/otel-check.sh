#!/usr/bin/env bash
# OpenTelemetry export, end to end: build the golden petstore with `--features otel`, point
# OTEL_EXPORTER_OTLP_ENDPOINT at a tiny OTLP/HTTP receiver, make a few requests, stop the
# server with SIGTERM, and require that the receiver got the spans (flushed at shutdown).
#
#   scripts/otel-check.sh [PROJECT]     (default generated/petstore)
set -euo pipefail
cd "$(dirname "$0")/.."
project=${1:-generated/petstore}
target=${SPECGEN_TEST_TARGET_DIR:-$PWD/target/generated-projects}
package=$(grep -m1 '^name' "$project/Cargo.toml" | sed 's/.*"\(.*\)".*/\1/')
(cd "$project" && CARGO_TARGET_DIR=$target cargo build --quiet --locked --features otel)
bin=$target/debug/$package
work=$(mktemp -d)
trap 'rm -rf "$work"; kill ${receiver:-} ${server:-} 2>/dev/null || true' EXIT

receiver_port=18517
python3 - "$receiver_port" "$work/received" <<'PY' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "a") as f:
            f.write(f"{self.path} {self.headers.get('Content-Type')} {len(body)}\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
PY
receiver=$!

port=18518
JWT_SECRET=otel-check-secret-0123456789abcdef0123 DATABASE_URL="sqlite://$work/app.db?mode=rwc" \
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$receiver_port HOST=127.0.0.1 PORT=$port \
  "$bin" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
for path in /healthz /readyz /pets /pets/1; do curl -s -o /dev/null "http://127.0.0.1:$port$path"; done
kill -TERM "$server"
wait "$server" || { echo "FAILED: the server did not exit cleanly"; cat "$work/server.log"; exit 1; }
server=
[ -s "$work/received" ] || { echo "FAILED: no spans reached the OTLP receiver"; cat "$work/server.log"; exit 1; }
grep -q '^/v1/traces application/x-protobuf [1-9]' "$work/received" \
  || { echo "FAILED: unexpected export:"; cat "$work/received"; exit 1; }
echo "otel export: ok ($(wc -l <"$work/received") batch(es) to /v1/traces)"
