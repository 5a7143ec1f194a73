#!/usr/bin/env bash
# Removes the lab (idempotent; also after a half-failed lab/up.sh): containers first (their
# conmon ignores SIGTERM and would outlive a deleted namespace), then every process left in
# each host's namespaces, the namespaces, the bridge, the guard routes and the runtime state.
# Leaves the caches (~/.cache/fabric: built images, unpacked tools) and the lab's SSH keys.
#   --purge       also remove the SSH keys (new host keys on the next up)
#   --host NAME   clear one host only (its processes and state; its namespace stays)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

purge='' only=''
while [ $# -gt 0 ]; do
  case $1 in
    --purge) purge=1 ;;
    --host) only=${2:?}; shift ;;
    *) lab_die "unknown option $1" ;;
  esac
  shift
done
t0=$SECONDS
if [ -z "${LAB_LOCK_HELD:-}" ] && [ -d "$LAB_DIR" ]; then
  exec 9>"$LAB_DIR/up.lock"
  flock -w 120 9 || lab_die "another lab/up.sh or lab/down.sh holds $LAB_DIR/up.lock"
fi

# Processes in a network namespace: `ip netns pids` while the name exists; else (a name
# already deleted) a scan of /proc for the namespace id recorded at creation.
pids_in() { # pids_in NAME
  local ns=$1
  if [ -e "/var/run/netns/$ns" ]; then
    ip netns pids "$ns" 2>/dev/null
  elif [ -s "$LAB_DIR/netns/$ns.id" ]; then
    local id p
    id=$(cat "$LAB_DIR/netns/$ns.id")
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$id" ] && echo "${p#/proc/}"
    done
  fi
  return 0
}
kill_all_in() { # kill_all_in NAME: TERM, then KILL (conmon ignores TERM), bounded
  local ns=$1 pids deadline sig
  for sig in TERM KILL; do
    pids=$(pids_in "$ns")
    [ -z "$pids" ] && return 0
    kill -"$sig" $pids 2>/dev/null
    deadline=$((SECONDS + 5))
    while [ -n "$(pids_in "$ns")" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  done
  pids=$(pids_in "$ns")
  [ -z "$pids" ] || lab_say "warning: processes still in $ns: $(echo $pids)"
}

clear_host() {
  local h=$1 H
  H=$(lab_host_dir "$h")
  if lab_anchor_pid "$h" >/dev/null 2>&1; then
    timeout 60 "$LAB_SRC/exec.sh" "$h" podman rm -f --all -t 0 >/dev/null 2>&1 ||
      lab_say "warning: podman rm on $h failed"
  fi
  kill_all_in "$h"
  # The anchor may sit outside the namespace if its nsenter failed half-way.
  if [ -s "$H/anchor.pid" ]; then
    kill -KILL "$(cat "$H/anchor.pid")" 2>/dev/null
  fi
  # Mounts lived only in the host's own mount namespace, gone with its last process.
  if [ -d "$H" ]; then
    rm -rf "$H" 2>/dev/null || { sleep 1; rm -rf "$H"; } || lab_say "warning: could not remove $H"
  fi
}

if [ -n "$only" ]; then
  lab_is_host "$only" || lab_die "unknown host $only"
  clear_host "$only"
  exit 0
fi

for h in "${LAB_HOSTS[@]}"; do
  clear_host "$h" &
done
kill_all_in "$LAB_OUTSIDER" &
wait

for ns in "${LAB_HOSTS[@]}" "$LAB_OUTSIDER"; do
  ip link del "fl-$ns" 2>/dev/null
  [ -e "/var/run/netns/$ns" ] && ip netns del "$ns"
  rm -f "$LAB_DIR/netns/$ns.id"
done
ip link del "$LAB_BRIDGE" 2>/dev/null
for r in "$LAB_TAILNET_CIDR" "$LAB_OUTSIDER_GUARD"; do
  ip route show type unreachable "$r" | grep -q . && ip route del unreachable "$r"
done
rmdir /podman /flux 2>/dev/null
rm -f "$LAB_DIR/lab.json"
rmdir "$LAB_DIR/hosts" "$LAB_DIR/netns" 2>/dev/null
if [ -n "$purge" ]; then
  rm -rf "$LAB_DIR"
fi
lab_say "down in $((SECONDS - t0))s"
exit 0
