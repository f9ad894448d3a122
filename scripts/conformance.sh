#!/usr/bin/env bash
# Conformance: runs each golden server in generated/ and fuzzes it with schemathesis against
# its spec, with credentials made the way the generated README says (the `token` command,
# API_KEYS, `hash-password`). Bounded and reproducible: `-n 25 --seed 1`, one worker; then
# again as a second principal (`-n 10`) against the first one's data.
#
#   scripts/conformance.sh [--checks LIST] [--db sqlite|postgres|mysql] [PROJECT...]
#
# Default: every generated/* project, on a fresh SQLite file. `--db postgres` runs each server
# on a fresh PostgreSQL database (PG_URL, default postgres://postgres@127.0.0.1:5432);
# `--db mysql` on a fresh MySQL/MariaDB database (MYSQL_URL, default mysql://root@127.0.0.1:3306).
#
# Needs schemathesis (../shared/tools/oracles-setup.sh installs it into
# ~/.cache/specgen-oracles). Prints one line per project and `N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
checks=negative_data_rejection,ignored_auth,missing_required_header,content_type_conformance,unsupported_method
db=sqlite
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
mysql_url=${MYSQL_URL:-mysql://root@127.0.0.1:3306}
extra=()
projects=()
while [ $# -gt 0 ]; do
  case $1 in
    --checks) checks=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --phases) extra+=(--phases "$2"); shift 2 ;;
    *) projects+=("$1"); shift ;;
  esac
done
[ ${#projects[@]} -gt 0 ] || projects=(generated/*/)
oracles=${ORACLES_DIR:-$HOME/.cache/specgen-oracles}
st=$oracles/venv/bin/schemathesis
python=$oracles/venv/bin/python
[ -x "$st" ] || { echo "schemathesis not found; run ../shared/tools/oracles-setup.sh"; exit 1; }
target=${SPECGEN_TEST_TARGET_DIR:-$root/target/generated-projects}
passed=0; failed=0; port=18400
for project in "${projects[@]}"; do
  project=${project%/}
  name=$(basename "$project")
  spec=$project/openapi.yaml
  [ -f "$spec" ] || spec=$project/openapi.json
  package=$(grep -m1 '^name' "$project/Cargo.toml" | sed 's/.*"\(.*\)".*/\1/')
  (cd "$project" && CARGO_TARGET_DIR=$target cargo build --quiet) || { echo "$name: build FAILED"; failed=$((failed + 1)); continue; }
  bin=$target/debug/$package
  port=$((port + 1))
  # Every scope the spec declares, so the token passes every scope check.
  scopes=$("$python" - "$spec" <<'PY'
import sys, yaml, json
text = open(sys.argv[1]).read()
doc = json.loads(text) if text.lstrip().startswith('{') else yaml.safe_load(text)
scopes = set()
for scheme in (doc.get('components') or {}).get('securitySchemes', {}).values():
    for flow in (scheme.get('flows') or {}).values():
        scopes.update((flow.get('scopes') or {}).keys())
print(','.join(sorted(scopes)))
PY
)
  export JWT_SECRET=conformance-secret-0123456789abcdef0123456789
  # Two principals: the second fuzzes a database holding the first one's items, which its
  # secured operations must not find (404), never show in a list, nor change. Their API
  # keys are administrators' (`role:admin`), as the specs' admin keys are meant to be: an
  # item a token created is then the key's to delete, as schemathesis expects of a key
  # the spec asks for on DELETE.
  export API_KEYS="conformance[role:admin]=conformance-key,second[role:admin]=second-key"
  # Basic users and tokens exist only where the spec has such a scheme (the runtime is built
  # without the others, and its commands say so).
  if hash=$("$bin" hash-password conformance-password 2>/dev/null); then
    export BASIC_USERS="conformance=$hash"
  else
    unset BASIC_USERS
  fi
  token=$("$bin" token --sub conformance --scopes "$scopes" 2>/dev/null || true)
  second_token=$("$bin" token --sub second --scopes "$scopes" 2>/dev/null || true)
  mkdir -p "$root/target"
  if [ "$db" = postgres ]; then
    database=conformance_$(printf '%s' "$name" | tr -c 'a-z0-9\n' '_')
    psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database" >/dev/null
    export DATABASE_URL=$pg/$database
  elif [ "$db" = mysql ]; then
    database=conformance_$(printf '%s' "$name" | tr -c 'a-z0-9\n' '_')
    mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $database; CREATE DATABASE $database CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    export DATABASE_URL=$mysql_url/$database
  else
    rm -f "$root/target/conformance-$name.db"*
    export DATABASE_URL="sqlite://$root/target/conformance-$name.db?mode=rwc"
  fi
  log=$root/target/conformance-$name-$db.log
  # No rate limit: the fuzzer's burst is the point, and 429 is not in the spec.
  PORT=$port RUST_LOG=warn RATE_LIMIT_PER_SECOND=0 "$bin" >"$log.server" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  # Every apiKey header/query name the spec uses gets the key.
  key_headers=$("$python" - "$spec" <<'PY'
import sys, yaml, json
text = open(sys.argv[1]).read()
doc = json.loads(text) if text.lstrip().startswith('{') else yaml.safe_load(text)
for scheme in (doc.get('components') or {}).get('securitySchemes', {}).values():
    if scheme.get('type') == 'apiKey' and scheme.get('in') == 'header':
        print(scheme['name'])
PY
)
  # fuzz <label> <token> <api key> <examples>: one schemathesis run as one principal.
  fuzz() {
    local headers=(-H "Authorization: Bearer $2")
    while read -r header; do [ -n "$header" ] && headers+=(-H "$header: $3"); done <<<"$key_headers"
    (cd "$root/target" && timeout 900 "$st" --config-file "$root/scripts/schemathesis.toml" run "$root/$spec" --output-sanitize false --url "http://127.0.0.1:$port" "${headers[@]}" \
        -n "$4" --seed 1 --workers 1 --checks "$checks" "${extra[@]}") >"$log.$1" 2>&1
  }
  for who in first second; do
    if [ "$who" = first ]; then fuzz first "$token" conformance-key 25; else fuzz second "$second_token" second-key 10; fi
    status=$?
    if [ $status -eq 0 ]; then
      echo "$name ($db, $who principal): ok ($(grep -oE '[0-9]+ generated, [0-9]+ passed' "$log.$who" | head -1))"
    else
      failed=$((failed + 1)); echo "$name ($db, $who principal): FAILED (see $log.$who)"; grep -E "^[0-9]+\. |Failed:|✘" "$log.$who" | head -20
      break
    fi
  done
  [ $status -eq 0 ] && passed=$((passed + 1))
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
  unset JWT_SECRET API_KEYS BASIC_USERS DATABASE_URL
done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
