#!/usr/bin/env bash
# Runs the Pulumi engine on the lab stack: `lab/stack.sh up --yes`, `lab/stack.sh preview`,
# `lab/stack.sh stack history --json`. The project is run from .lab/project, a directory of
# links to this checkout plus the lab's own Pulumi.lab.yaml (the committed one with the host
# keys the lab generated pinned in, and the generated secrets encrypted), so nothing the lab
# generates lands in a committed file. State: a file backend in .lab/state.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$LAB_REPO/scripts/setup.sh" >/dev/null 2>&1 || . "$LAB_REPO/scripts/setup.sh"
PATH="$("$LAB_REPO/scripts/pulumi-engine.sh"):$PATH"
export PATH PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
[ -f "$LAB_DIR/lab.json" ] || lab_die "the lab is not up (lab/up.sh)"

project="$LAB_DIR/project"
mkdir -p "$project" "$LAB_DIR/state"
for f in Pulumi.yaml package.json bin node_modules; do ln -sfn "$LAB_REPO/$f" "$project/$f"; done
export PULUMI_BACKEND_URL="file://$LAB_DIR/state"
# The passphrase of the lab's secrets: made once, read from a 0600 file, never on a command line.
if [ ! -s "$LAB_DIR/passphrase" ]; then (umask 077; openssl rand -hex 24 >"$LAB_DIR/passphrase"); fi
export PULUMI_CONFIG_PASSPHRASE_FILE="$LAB_DIR/passphrase"
unset PULUMI_CONFIG_PASSPHRASE

cd "$project"
stack_config=Pulumi.lab.yaml
if [ ! -e "$stack_config" ] || [ "$LAB_DIR/lab.json" -nt "$stack_config" ] || [ "$LAB_REPO/Pulumi.lab.yaml" -nt "$stack_config" ]; then
  # A new lab (new SSH key) starts its secrets afresh; a changed stack file keeps them.
  previous=$stack_config
  if [ "$LAB_DIR/lab.json" -nt "$stack_config" ]; then
    # The hosts of the old lab are gone: so is what its state recorded.
    previous=
    rm -f "$LAB_DIR/.secrets-set"
    if [ -e "$stack_config" ]; then rm -rf "$LAB_DIR/state" "$stack_config" && mkdir -p "$LAB_DIR/state"; fi
  fi
  node --no-warnings "$LAB_REPO/cli/lab-config.ts" "$LAB_REPO/Pulumi.lab.yaml" "$LAB_DIR/lab.json" $previous >"$stack_config.new"
  mv "$stack_config.new" "$stack_config"
fi
pulumi stack select --create lab >/dev/null
if [ ! -e "$LAB_DIR/.secrets-set" ]; then
  # Secrets travel on stdin; the values are generated here, once per lab, and kept only
  # encrypted in the stack config.
  pulumi config set --secret sshPrivateKey <"$LAB_DIR/ssh/id_ed25519" >/dev/null
  for var in LITELLM_MASTER_KEY OPENAI_API_KEY; do
    openssl rand -hex 24 | tr -d '\n' | pulumi config set --secret --path "secretValues.$var" >/dev/null
  done
  touch "$LAB_DIR/.secrets-set"
fi
[ -e "$LAB_REPO/bin/index.js" ] && [ -z "$(find "$LAB_REPO/index.ts" "$LAB_REPO/components" "$LAB_REPO/config" "$LAB_REPO/render" -newer "$LAB_REPO/bin/index.js" -name '*.ts' | head -1)" ] || (cd "$LAB_REPO" && npm run -s build)
exec pulumi "$@"
