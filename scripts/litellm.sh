#!/usr/bin/env bash
# Installs the pinned LiteLLM proxy into a virtual environment under ~/.cache/fabric, once,
# and prints the path of its `litellm` executable.
#
# 1.103.0: the newest release whose dependencies all resolve from the package index reached
# here (1.104.0 and later require certifi>=2026.10.19, which it does not carry). Never 1.82.7
# or 1.82.8 (compromised releases). In this release CORS is read from the environment
# (LITELLM_CORS_ORIGINS), not from general_settings.
set -euo pipefail

readonly VERSION=1.103.0
# prisma is only imported, never used: without it LiteLLM 1.103.0 answers a request without a
# key with 500 (its auth error handler imports prisma) instead of 401. The ghcr image has it.
readonly EXTRA="prisma==0.15.0"
readonly CACHE="${FABRIC_CACHE:-$HOME/.cache/fabric}"
readonly DEST="$CACHE/litellm/$VERSION-$(printf '%s' "$EXTRA" | sha256sum | cut -c1-8)"

# Installed in place (venvs are not relocatable); `.complete` marks a finished install, so an
# interrupted one is thrown away and redone.
if [ ! -e "$DEST/.complete" ]; then
  t0=$(date +%s)
  echo "fabric: installing litellm[proxy]==$VERSION into $DEST (a few minutes, once)" >&2
  rm -rf "$DEST"
  mkdir -p "$(dirname "$DEST")"
  python3 -m venv "$DEST"
  "$DEST/bin/pip" install --quiet --disable-pip-version-check "litellm[proxy]==$VERSION" $EXTRA
  touch "$DEST/.complete"
  echo "fabric: litellm $VERSION installed in $(( $(date +%s) - t0 ))s" >&2
fi
echo "$DEST/bin/litellm"
