#!/usr/bin/env bash
# Simulates a reboot of a lab Windows host: the WSL VM gets a new address, the port proxies'
# socat processes die (netsh keeps its entries, still aimed at the old address), containers
# come back on the new address (Podman Desktop's restart policy), then every registered
# scheduled task runs its action once, as its at-start-up trigger would.
# Usage: lab/win-reboot.sh <host> [--no-tasks]   (--no-tasks: leave the proxies stale)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
h=${1:?usage: lab/win-reboot.sh <host> [--no-tasks]}
lab_is_host "$h" || lab_die "unknown host $h"
[ "${LAB_OS[$h]}" = windows-wsl ] || lab_die "$h is not a Windows host"
shift
lab_in_host "$h" /usr/local/sbin/powershell --lab-reboot "$@"
