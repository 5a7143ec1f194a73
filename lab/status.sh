#!/usr/bin/env bash
# One line per lab host: address, OS, sshd, firewalld, containers, commands logged.
# Exit 0 when every host is up with sshd listening, 1 otherwise.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
ok=0
printf '%-11s %-15s %-12s %-6s %-9s %-10s %s\n' HOST ADDRESS OS SSHD FIREWALLD CONTAINERS COMMANDS
for h in "${LAB_HOSTS[@]}"; do
  H=$(lab_host_dir "$h")
  if ! lab_anchor_pid "$h" >/dev/null 2>&1; then
    printf '%-11s %-15s %-12s %s\n' "$h" "${LAB_ADDR[$h]}" "${LAB_OS[$h]}" down
    ok=1
    continue
  fi
  sshd=down
  lab_sshd_running "$h" && sshd=up
  [ "$sshd" = up ] || ok=1
  fw=-
  if lab_has_firewalld "$h"; then
    fw=$(lab_in_host "$h" firewall-cmd --state 2>/dev/null) || fw=down
  fi
  n=$(lab_in_host "$h" podman ps -q 2>/dev/null | wc -l)
  c=$(wc -l <"$H/commands.log" 2>/dev/null || echo 0)
  printf '%-11s %-15s %-12s %-6s %-9s %-10s %s\n' "$h" "${LAB_ADDR[$h]}" "${LAB_OS[$h]}" "$sshd" "$fw" "$n" "$c"
done
if [ -e "/var/run/netns/$LAB_OUTSIDER" ]; then
  printf '%-11s %-15s (outside %s)\n' "$LAB_OUTSIDER" "$LAB_OUTSIDER_ADDR" "$LAB_TAILNET_CIDR"
else
  printf '%-11s down\n' "$LAB_OUTSIDER"
  ok=1
fi
[ -s "$LAB_DIR/lab.json" ] && printf 'lab.json: %s\n' "$LAB_DIR/lab.json"
exit $ok
