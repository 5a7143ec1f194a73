#!/usr/bin/env bash
# Provides the Pulumi engine fabric runs on and prints the directory to put on PATH.
#
# Usage: PATH="$(scripts/pulumi-engine.sh):$PATH"
#        (progress and timings go to stderr; the last line of stdout is the bin directory)
#
# Run Pulumi with PULUMI_SKIP_UPDATE_CHECK=true and
# PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true: nothing can be downloaded from GitHub or
# get.pulumi.com here, so Pulumi must never try.
#
# What it provides, all built from Go modules through the Go module proxy (no other source
# of Pulumi binaries is reachable; see tools/pulumi-engine/README.md for what was checked):
#   pulumi                   github.com/pulumi/pulumi/pkg/v3 v3.259.0, cmd/pulumi. 3.259.0 is the
#                            newest pkg/v3 whose source the proxy serves (v3.260.0 and later
#                            answer 403); it runs programs on the npm SDK @pulumi/pulumi 3.270.0.
#   pulumi-language-nodejs   from github.com/pulumi/pulumi/sdk/v3 v3.68.0, the last sdk/v3
#                            release that carried the Node.js language host (later ones moved it
#                            to its own module, which was never tagged, so no proxy serves it).
#                            The engine falls back to the RPCs it implements.
#   pulumi-resource-command  fabric's own implementation (tools/pulumi-engine/command) of the
#                            command provider's 1.2.1 schema: local.Command and remote.Command.
#                            The upstream provider module has no tagged version, so the proxy
#                            serves none. Reports version 1.2.1, as @pulumi/command 1.2.1 asks.
#   pulumi-resource-pulumi-nodejs  the dynamic-provider launcher script from sdk/v3 v3.259.0.
#
# How plugins are found: pulumi-language-nodejs and pulumi-resource-pulumi-nodejs sit next to
# `pulumi` (Pulumi's "bundled" plugins, found there or on PATH without a warning). The command
# provider is deliberately NOT in the bin directory: a resource plugin found on PATH works but
# makes every update warn "using pulumi-resource-command from $PATH". Instead it is registered
# in Pulumi's plugin cache, ${PULUMI_HOME:-~/.pulumi}/plugins/resource-command-v1.2.1, with
# `pulumi plugin install resource command 1.2.1 --file …`, on every call if it is missing
# (a copy this script installed earlier, marked by a .fabric-build file, is refreshed when the
# build changes; any other copy there is left alone).
#
# Reuse: a `pulumi` already on PATH at version >= 3.259.0, with pulumi-language-nodejs on PATH
# and the command provider 1.2.1 findable (on PATH or in the plugin cache), is used as it is.
# Otherwise the three are built once into ${FABRIC_CACHE:-~/.cache/fabric}/pulumi/<key>/
# (key: the CLI version and a hash of tools/pulumi-engine and this script), in a temporary
# directory renamed into place when complete, under a lock, so an interrupted or concurrent
# build never leaves a half cache. A cold build takes about 10 minutes on 2 cores (the CLI is
# most of it; 17 min from nothing on a busy machine) and leaves about 2 GiB each in Go's module
# and build caches; the result is 160 MB. A warm call returns in well under a second.
set -euo pipefail

readonly PULUMI_VERSION=3.259.0
readonly NODEJS_HOST_VERSION=3.68.0
readonly COMMAND_VERSION=1.2.1

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly SELF="$REPO/scripts/pulumi-engine.sh"
readonly TOOLS="$REPO/tools/pulumi-engine"
readonly CACHE="${FABRIC_CACHE:-$HOME/.cache/fabric}"
readonly PLUGIN_HOME="${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-command-v$COMMAND_VERSION"

log() { printf 'fabric: %s\n' "$*" >&2; }

# version_ge A B: A >= B for dotted numeric versions.
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

# 1. An installed engine that fits.
# (One from this script's own cache is checked below instead, so a changed build is noticed.)
if pulumi_bin=$(command -v pulumi 2>/dev/null) && [[ "$pulumi_bin" != "$CACHE/pulumi/"* ]]; then
  installed=$(PULUMI_SKIP_UPDATE_CHECK=true pulumi version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n1)
  if [ -n "$installed" ] && [ "${installed%%.*}" = 3 ] && version_ge "$installed" "$PULUMI_VERSION" &&
    command -v pulumi-language-nodejs >/dev/null 2>&1 &&
    { command -v pulumi-resource-command >/dev/null 2>&1 || [ -x "$PLUGIN_HOME/pulumi-resource-command" ]; }; then
    dirname "$pulumi_bin"
    exit 0
  fi
fi

# 2. The cached build.
key_hash=$(cd "$TOOLS" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 |
  LC_ALL=C sort -z | xargs -0 sha256sum | cat - "$SELF" | sha256sum | cut -c1-12)
readonly ROOT="$CACHE/pulumi/$PULUMI_VERSION-$key_hash"
readonly BIN="$ROOT/bin"
readonly PROVIDER="$ROOT/plugins/pulumi-resource-command"

cache_complete() {
  [ -x "$BIN/pulumi" ] && [ -x "$BIN/pulumi-language-nodejs" ] && [ -x "$PROVIDER" ]
}

build() {
  local stage="$1" t0 t
  if ! command -v go >/dev/null 2>&1; then
    log "Go >= 1.25.11 is needed to build the Pulumi engine (none on PATH)"
    exit 1
  fi
  local gov
  gov=$(go env GOVERSION | sed 's/^go//')
  if ! version_ge "$gov" 1.25.11; then
    log "Go >= 1.25.11 is needed to build the Pulumi engine (found $gov)"
    exit 1
  fi
  # -mod=readonly: the committed go.mod/go.sum are the whole truth, verified against the
  # checksum database through the proxy. GOTOOLCHAIN=local: never fetch another Go.
  export GOFLAGS="-mod=readonly -buildvcs=false -trimpath" GOTOOLCHAIN=local
  mkdir -p "$stage/bin" "$stage/plugins"

  t0=$SECONDS
  log "building pulumi v$PULUMI_VERSION (github.com/pulumi/pulumi/pkg/v3; ~10 min on 2 cores when cold)"
  (cd "$TOOLS/cli" && go build -ldflags \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$stage/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  log "built pulumi in $((SECONDS - t0)) s"

  t=$SECONDS
  log "building pulumi-language-nodejs (github.com/pulumi/pulumi/sdk/v3 v$NODEJS_HOST_VERSION)"
  (cd "$TOOLS/nodejs" && go build -ldflags \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$NODEJS_HOST_VERSION" \
    -o "$stage/bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
  log "built pulumi-language-nodejs in $((SECONDS - t)) s"

  t=$SECONDS
  log "building pulumi-resource-command $COMMAND_VERSION (tools/pulumi-engine/command)"
  (cd "$TOOLS/command" && go build -ldflags "-s -w -X main.Version=$COMMAND_VERSION" \
    -o "$stage/plugins/pulumi-resource-command" .)
  log "built pulumi-resource-command in $((SECONDS - t)) s"

  # The dynamic-provider launcher, a bundled plugin of the CLI, from the SDK module's source.
  local sdk_dir
  sdk_dir=$(cd "$TOOLS/cli" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
  install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$stage/bin/"

  sha256sum "$stage/plugins/pulumi-resource-command" | cut -d' ' -f1 >"$stage/plugins/pulumi-resource-command.sha256"
  log "built the Pulumi engine in $((SECONDS - t0)) s"
}

if ! cache_complete; then
  mkdir -p "$CACHE/pulumi"
  exec 9>"$CACHE/pulumi/.lock"
  flock 9
  if ! cache_complete; then
    rm -rf "$CACHE/pulumi"/.build-* # left by a build that was killed; none runs while we hold the lock
    stage=$(mktemp -d "$CACHE/pulumi/.build-XXXXXX")
    chmod 0755 "$stage"
    trap 'rm -rf "$stage"' EXIT
    build "$stage"
    rm -rf "$ROOT"
    mv "$stage" "$ROOT"
    trap - EXIT
    # Older builds of this script are no longer used.
    find "$CACHE/pulumi" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*-????????????' \
      ! -path "$ROOT" -exec rm -rf {} +
  fi
  flock -u 9
fi

# 3. The command provider in Pulumi's plugin cache (see the header).
want=$(cat "$PROVIDER.sha256")
have=""
[ -f "$PLUGIN_HOME/.fabric-build" ] && have=$(cat "$PLUGIN_HOME/.fabric-build")
if [ ! -x "$PLUGIN_HOME/pulumi-resource-command" ] || { [ -n "$have" ] && [ "$have" != "$want" ]; }; then
  t=$SECONDS
  PULUMI_SKIP_UPDATE_CHECK=true "$BIN/pulumi" plugin install resource command "$COMMAND_VERSION" \
    --file "$PROVIDER" --reinstall >&2
  printf '%s\n' "$want" >"$PLUGIN_HOME/.fabric-build"
  log "registered pulumi-resource-command $COMMAND_VERSION in $PLUGIN_HOME ($((SECONDS - t)) s)"
fi

echo "$BIN"
