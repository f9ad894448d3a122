#!/usr/bin/env bash
# Rebuilds the committed golden projects in generated/ from the specs in specs/, exactly as
# `gen new` writes them today (scaffold files included). Cargo.lock is kept so dependency
# versions only move on purpose. Run after editing a spec or the generator; CI fails when
# generated/ differs from what this produces.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin gen
for spec in specs/*.yaml; do
  name=$(basename "$spec" .yaml)
  project=generated/$name
  lock=
  if [ -f "$project/Cargo.lock" ]; then lock=$(mktemp); cp "$project/Cargo.lock" "$lock"; fi
  rm -rf "$project"
  ./target/debug/gen new "$spec" --out "$project" --name "$name" 2>/dev/null
  if [ -n "$lock" ]; then mv "$lock" "$project/Cargo.lock"; fi
  echo "regenerated $project"
done
