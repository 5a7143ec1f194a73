#!/usr/bin/env bash
# Starts a lab host's sshd (after lab/sshd-stop.sh, to bring a "down" host back) and brings
# its network link up again if lab/sshd-stop.sh --offline took it down.
# Usage: lab/sshd-start.sh <host>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
h=${1:?usage: lab/sshd-start.sh <host>}
lab_is_host "$h" || lab_die "unknown host $h"
H=$(lab_host_dir "$h")
lab_anchor_pid "$h" >/dev/null || lab_die "host $h is not up (run lab/up.sh)"
ip -n "$h" link set eth0 up
lab_sshd_running "$h" && exit 0
rm -f "$H/sshd.pid"
lab_in_host "$h" /usr/sbin/sshd -f "$H/sshd_config" -E "$H/sshd.log"
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/${LAB_ADDR[$h]}/22" 2>/dev/null; }
lab_wait 10 "sshd on $h" port_open || { tail -5 "$H/sshd.log" >&2; exit 1; }
lab_wait 5 "sshd pid file on $h" test -s "$H/sshd.pid"
