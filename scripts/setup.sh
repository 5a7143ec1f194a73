#!/usr/bin/env bash
# Installs what fabric needs on a fresh Debian 12 machine, idempotently, and puts Node 24 on
# PATH. Source it (`. scripts/setup.sh`) to keep the PATH; a second run returns quickly.
set -euo pipefail
_fabric_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_fabric_t0=$(date +%s)
_fabric_say() { printf 'fabric setup: %s (+%ss)\n' "$*" "$(( $(date +%s) - _fabric_t0 ))" >&2; }

# Debian packages, installed only when missing (apt-get update once, only if needed).
fabric_apt() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  _fabric_say "apt-get install ${missing[*]}"
  if [ -z "${_FABRIC_APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null; _FABRIC_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

PATH="$("$_fabric_root/scripts/node.sh"):$PATH"
export PATH
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

# shellcheck lints rendered scripts; redis-server backs the cache in the integration tests.
fabric_apt shellcheck redis-server

# actionlint checks the GitHub workflows; built once from the Go module proxy.
export GOBIN="${FABRIC_CACHE:-$HOME/.cache/fabric}/go/bin"
PATH="$GOBIN:$PATH"
if ! command -v actionlint >/dev/null 2>&1; then
  _fabric_say "go install actionlint"
  (cd /tmp && go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)
fi
cd "$_fabric_root"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Not `npm ci`: npm 11.19 writes locks without other platforms' optional packages (Biome's
  # binaries) and its own `npm ci` then refuses them. `npm install` keeps the locked versions.
  _fabric_say "npm install"
  npm install --no-audit --no-fund --loglevel=error >/dev/null
fi
# The integration tests' real LiteLLM proxy and the vLLM stand-in: built once, cached.
"$_fabric_root/scripts/standin.sh" >/dev/null
"$_fabric_root/scripts/litellm.sh" >/dev/null
# The e2e tests: the lab's Debian packages, and the Pulumi engine (built once from the Go
# module proxy; about 15 minutes cold on 2 cores, then cached).
"$_fabric_root/lab/deps.sh"
PATH="$("$_fabric_root/scripts/pulumi-engine.sh"):$PATH"
_fabric_say "node $(node --version), pulumi $(pulumi version), dependencies ready"
cd - >/dev/null
