#!/usr/bin/env bash
# Runs the Key Vault stand-in (tests/support/keyvault-emulator.ts) in the foreground on loopback,
# for trying things by hand or for a child process that needs a vault. Tests import
# startKeyVaultEmulator directly instead. See docs/notes/keyvault-emulator.md.
#
# Prints one JSON line {vaultUrl, caFile, token} once the vault answers; stops on SIGINT/SIGTERM
# (the run's CA and keys go with it). NAME=VALUE arguments are seeded as secrets (test values only:
# they show in ps).
#
#   scripts/keyvault-emulator.sh db-password=hunter2 &
#   curl --cacert "$caFile" -H "Authorization: Bearer $token" "$vaultUrl/secrets/db-password?api-version=2026-04-01"
#   NODE_EXTRA_CA_CERTS="$caFile" some-child-process   # trusts the run's CA in that process only
#
# There is no third-party emulator to fetch: lowkey-vault's app jar is not served by the Maven
# Central reached here, and no other Key Vault emulator is on a reachable registry (see the note).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH="$("$ROOT/scripts/node.sh"):$PATH"

for arg in "$@"; do
  case "$arg" in
    *=*) ;;
    *) echo "usage: $0 [NAME=VALUE ...]" >&2; exit 2 ;;
  esac
done

exec node --no-warnings --input-type=module -e '
const { startKeyVaultEmulator } = await import(process.argv[1]);
const secrets = Object.fromEntries(process.argv.slice(2).map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
const token = "fabric-test-token";
const kv = await startKeyVaultEmulator({ secrets, token });
console.log(JSON.stringify({ vaultUrl: kv.vaultUrl, caFile: kv.caFile, token }));
const stop = () => kv.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
' "$ROOT/tests/support/keyvault-emulator.ts" "$@"
