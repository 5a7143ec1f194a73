#!/usr/bin/env bash
# Builds the vLLM stand-in (standin/, Go standard library only) once per source version into
# ~/.cache/fabric and prints the binary's path. Static, so it also runs alone in a lab image.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hash=$(cat "$root/standin/go.mod" "$root/standin/main.go" | sha256sum | cut -c1-12)
dest="${FABRIC_CACHE:-$HOME/.cache/fabric}/standin/$hash/standin"
if [ ! -x "$dest" ]; then
  mkdir -p "$(dirname "$dest")"
  (cd "$root/standin" && CGO_ENABLED=0 go build -trimpath -o "$dest.partial" .)
  mv "$dest.partial" "$dest"
fi
echo "$dest"
