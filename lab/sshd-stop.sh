#!/usr/bin/env bash
# Simulates a host being down for SSH: stops its sshd and ends its open SSH sessions, so new
# connections are refused. With --offline the host's link also goes down, so connections
# time out as with a powered-off machine (its services become unreachable too).
# lab/sshd-start.sh undoes both. Usage: lab/sshd-stop.sh <host> [--offline]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
h=${1:?usage: lab/sshd-stop.sh <host> [--offline]}
lab_is_host "$h" || lab_die "unknown host $h"
H=$(lab_host_dir "$h")
id=$(lab_netns_id "$h") || lab_die "host $h has no network namespace"
if [ "${2:-}" = --offline ]; then
  ip -n "$h" link set eth0 down
fi
sshd_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$id" ] || continue
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/sshd ] && echo "${p#/proc/}"
  done
  return 0
}
none_left() { [ -z "$(sshd_pids)" ]; }
pids=$(sshd_pids)
[ -n "$pids" ] && kill $pids 2>/dev/null || true
if ! lab_wait 5 "sshd on $h to stop" none_left; then
  pids=$(sshd_pids)
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  lab_wait 5 "sshd on $h to die" none_left
fi
rm -f "$H/sshd.pid"
