#!/usr/bin/env bash
# Runs a command inside a lab host (its network and mount namespaces, as its root) without
# SSH, so it is not logged as a remote command. Tests use it to inspect hosts.
# Usage: lab/exec.sh <host|outsider> [command...]   (no command: an interactive shell)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
h=${1:?usage: lab/exec.sh <host|outsider> [command...]}
shift
[ $# -gt 0 ] || set -- bash -l
if [ "$h" = "$LAB_OUTSIDER" ]; then
  [ -e "/var/run/netns/$h" ] || lab_die "the outsider namespace is not up"
  exec nsenter --net="/var/run/netns/$h" -- "$@"
fi
lab_is_host "$h" || lab_die "unknown host $h (hosts: ${LAB_HOSTS[*]} $LAB_OUTSIDER)"
pid=$(lab_anchor_pid "$h") || lab_die "host $h is not up"
exec nsenter -t "$pid" --net --mount -- env -i PATH="$LAB_HOST_PATH" HOME=/root LANG=C.UTF-8 \
  ${TERM:+TERM="$TERM"} "$@"
