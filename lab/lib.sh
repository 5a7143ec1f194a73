#!/usr/bin/env bash
# shellcheck disable=SC2034 # the names are used by the scripts that source this
# Shared definitions for the lab scripts. Source it; it defines names only (no side effects).
#
# The lab: a bridge in the root network namespace, one network namespace per fabric host
# (each with its own mount namespace, sshd, podman storage, systemctl stand-in, firewalld on
# the Linux hosts, a PowerShell stand-in on the Windows hosts) and one "outsider" namespace
# whose address lies outside the tailnet range, to prove that firewall rules bite.

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_SRC="$LAB_REPO/lab"
LAB_DIR=${FABRIC_LAB_DIR:-$LAB_REPO/.lab}
LAB_CACHE=${FABRIC_CACHE:-$HOME/.cache/fabric}
export FABRIC_CACHE="$LAB_CACHE"

LAB_BRIDGE=fablab0
LAB_BRIDGE_ADDR=100.100.50.1
LAB_PREFIX=24
LAB_TAILNET_CIDR=100.64.0.0/10
LAB_OUTSIDER=outsider
LAB_OUTSIDER_ADDR=198.18.50.20
LAB_OUTSIDER_BRIDGE_ADDR=198.18.50.1
LAB_OUTSIDER_NET=198.18.50.0/24
LAB_OUTSIDER_GUARD=198.18.0.0/15

LAB_HOSTS=(motoko akira wintermute armitage)
declare -A LAB_ADDR=([motoko]=100.100.50.11 [akira]=100.100.50.12 [wintermute]=100.100.50.13 [armitage]=100.100.50.14)
declare -A LAB_OS=([motoko]=linux [akira]=linux [wintermute]=windows-wsl [armitage]=windows-wsl)
# Linux hosts that run firewalld (space separated); the others accept everything.
LAB_FIREWALLD_HOSTS=${FABRIC_LAB_FIREWALLD_HOSTS:-motoko akira}

# Images: fixed tags that the lab stack config can name.
LAB_IMAGE_STANDIN=localhost/vllm-standin:lab-1
LAB_IMAGE_REDIS=localhost/redis:lab-7
# The LiteLLM image tag carries the pinned version; lab/images.sh fills it in.
# Built once, shared read-only by every host (storage.conf additionalimagestores); a cache.
LAB_IMAGE_STORE="$LAB_CACHE/lab-images"

# Bounded waits: lab_wait SECONDS DESCRIPTION COMMAND...
lab_wait() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "lab: timed out after ${limit}s waiting for $what" >&2
      return 1
    fi
    sleep 0.1
  done
}

lab_say() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

lab_host_dir() { echo "$LAB_DIR/hosts/$1"; }
lab_is_host() { [ -n "${LAB_ADDR[$1]:-}" ]; }
lab_has_firewalld() { [[ " $LAB_FIREWALLD_HOSTS " == *" $1 "* ]] && [ "${LAB_OS[$1]}" = linux ]; }

# The anchor is a process that holds a host's mount namespace (and sits in its network
# namespace); every tool that enters a host joins the anchor's namespaces.
lab_anchor_pid() {
  local f
  f="$(lab_host_dir "$1")/anchor.pid"
  [ -s "$f" ] || return 1
  local pid
  pid=$(cat "$f")
  [ -d "/proc/$pid" ] && [ "$(readlink "/proc/$pid/ns/net")" = "$(lab_netns_id "$1")" ] || return 1
  echo "$pid"
}
lab_netns_id() {
  [ -e "/var/run/netns/$1" ] || return 1
  # the inode of the bound namespace file, printed like /proc/PID/ns/net links are
  echo "net:[$(stat -L -c %i "/var/run/netns/$1")]"
}

# Run a command inside a host (its network and mount namespaces), as the host's root, with
# the clean environment a login on that host would have.
LAB_HOST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
lab_in_host() {
  local host=$1; shift
  local pid
  pid=$(lab_anchor_pid "$host") || { echo "lab: host $host is not up" >&2; return 1; }
  # 9>&-: the lab's lock (lab/up.sh holds it on fd 9) must not live on in the host's daemons
  nsenter -t "$pid" --net --mount -- env -i PATH="$LAB_HOST_PATH" HOME=/root LANG=C.UTF-8 \
    ${TERM:+TERM="$TERM"} "$@" 9>&-
}

lab_sshd_running() {
  local pidf
  pidf="$(lab_host_dir "$1")/sshd.pid"
  [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}
