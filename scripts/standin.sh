#!/usr/bin/env bash
# Builds the vLLM stand-in (standin/, Go standard library only) once per source version into
# ${FABRIC_CACHE:-~/.cache/fabric}/standin/<hash of its sources>/standin and prints the
# binary's path; a second call only prints it. Static (CGO off), so it also runs alone in a
# lab image.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hash=$(cd "$root/standin" && cat go.mod main.go | sha256sum | cut -c1-12)
dest="${FABRIC_CACHE:-$HOME/.cache/fabric}/standin/$hash/standin"
if [ ! -x "$dest" ]; then
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp "$dest.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  (cd "$root/standin" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod \
    go build -trimpath -ldflags='-s -w' -o "$tmp" .)
  chmod 755 "$tmp"
  mv -f "$tmp" "$dest"
  trap - EXIT
fi
echo "$dest"
