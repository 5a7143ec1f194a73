#!/usr/bin/env bash
# Brings the lab up (idempotent): bridge, namespaces, per-host sshd/podman/systemctl/firewalld,
# simulated Windows state, images; writes .lab/lab.json and prints a summary.
# A host that is already up is left as it is. Run lab/down.sh to remove everything.
#   FABRIC_LAB_DIR    runtime state (default <repo>/.lab)
#   FABRIC_CACHE      build cache (default ~/.cache/fabric)
#   FABRIC_LAB_SKIP_IMAGES=1   do not build or import images
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || lab_die "the lab needs root (network namespaces, mounts)"
# Inside a host, these directories are the host's own: the lab's files must not live there.
for p in "$LAB_DIR" "$LAB_CACHE" "$LAB_SRC"; do
  case "$(readlink -f "$p" 2>/dev/null || echo "$p")/" in
    /run/* | /var/run/* | /var/log/* | /var/lib/containers/* | /etc/containers/* | /etc/systemd/* | /etc/firewalld/* | /podman/* | /flux/* | /usr/local/sbin/* | /dev/shm/*)
      lab_die "$p is hidden inside the lab hosts; put FABRIC_LAB_DIR / FABRIC_CACHE elsewhere" ;;
  esac
done
t0=$SECONDS
"$LAB_SRC/deps.sh"
mkdir -p "$LAB_DIR" "$LAB_DIR/hosts" "$LAB_DIR/netns"

# --- tools only the lab hosts see -------------------------------------------------------
SYSTEMCTL_DIR="$LAB_CACHE/systemctl"
ensure_systemctl() {
  local deb
  deb=$(compgen -G "$LAB_CACHE/debs/systemctl_*.deb" | head -1) || lab_die "no systemctl .deb (lab/deps.sh)"
  local bin="$SYSTEMCTL_DIR/usr/bin/systemctl"
  if [ -x "$bin" ] && [ "$bin" -nt "$deb" ] && [ "$bin" -nt "$LAB_SRC/systemctl-patch.py" ]; then return 0; fi
  rm -rf "$SYSTEMCTL_DIR" "$SYSTEMCTL_DIR.partial"
  dpkg -x "$deb" "$SYSTEMCTL_DIR.partial"
  /usr/bin/python3 "$LAB_SRC/systemctl-patch.py" "$SYSTEMCTL_DIR.partial/usr/bin/systemctl"
  mv "$SYSTEMCTL_DIR.partial" "$SYSTEMCTL_DIR"
  touch "$bin"
}

# --- keys ---------------------------------------------------------------------------------
# Kept across lab/down.sh (so host keys pinned in a stack stay valid); lab/down.sh --purge
# removes them.
ensure_keys() {
  mkdir -p "$LAB_DIR/ssh/hosts"
  chmod 0700 "$LAB_DIR/ssh"
  if [ ! -s "$LAB_DIR/ssh/id_ed25519" ]; then
    ssh-keygen -q -t ed25519 -N '' -C fabric-lab -f "$LAB_DIR/ssh/id_ed25519"
  fi
  cp "$LAB_DIR/ssh/id_ed25519.pub" "$LAB_DIR/ssh/authorized_keys"
  local h
  : >"$LAB_DIR/ssh/known_hosts.new"
  for h in "${LAB_HOSTS[@]}"; do
    local k="$LAB_DIR/ssh/hosts/${h}_ed25519"
    [ -s "$k" ] || ssh-keygen -q -t ed25519 -N '' -C "$h" -f "$k"
    printf '%s %s\n' "${LAB_ADDR[$h]}" "$(cut -d' ' -f1,2 "$k.pub")" >>"$LAB_DIR/ssh/known_hosts.new"
  done
  mv "$LAB_DIR/ssh/known_hosts.new" "$LAB_DIR/ssh/known_hosts"
}

# --- network ------------------------------------------------------------------------------
ensure_netns() {
  local ns=$1 addr=$2 onlink=$3 veth="fl-$1"
  [ -e "/var/run/netns/$ns" ] || ip netns add "$ns"
  lab_netns_id "$ns" >"$LAB_DIR/netns/$ns.id"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip -n "$ns" link del eth0 2>/dev/null || true
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1"
  ip link set "$veth" master "$LAB_BRIDGE" up
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
  ip -n "$ns" addr replace "$addr/$LAB_PREFIX" dev eth0
  ip -n "$ns" link set eth0 up
  # No default route: a lab host reaches the bridge's subnets and nothing else.
  ip -n "$ns" route replace "$onlink" dev eth0
}

ensure_network() {
  if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
    ip link add "$LAB_BRIDGE" type bridge
  fi
  # Lab traffic is bridged; keep the root namespace's iptables (br_netfilter) out of it.
  ip link set "$LAB_BRIDGE" type bridge nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 2>/dev/null || true
  sysctl -qw "net.ipv6.conf.$LAB_BRIDGE.disable_ipv6=1"
  ip addr replace "$LAB_BRIDGE_ADDR/$LAB_PREFIX" dev "$LAB_BRIDGE"
  ip addr replace "$LAB_OUTSIDER_BRIDGE_ADDR/$LAB_PREFIX" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
  # Nothing aimed at the lab's ranges may leave the machine; the bridge's /24s win.
  ip route replace unreachable "$LAB_TAILNET_CIDR"
  ip route replace unreachable "$LAB_OUTSIDER_GUARD"
  local h
  for h in "${LAB_HOSTS[@]}"; do
    ensure_netns "$h" "${LAB_ADDR[$h]}" "$LAB_OUTSIDER_NET"
  done
  ensure_netns "$LAB_OUTSIDER" "$LAB_OUTSIDER_ADDR" "${LAB_BRIDGE_ADDR%.*}.0/$LAB_PREFIX"
}

# --- hosts --------------------------------------------------------------------------------
render() { # render TEMPLATE HOST > file
  sed -e "s#@HOST@#$2#g" -e "s#@ADDR@#${LAB_ADDR[$2]}#g" -e "s#@HOSTDIR@#$(lab_host_dir "$2")#g" \
    -e "s#@KEYDIR@#$LAB_DIR/ssh#g" -e "s#@SRC@#$LAB_SRC#g" -e "s#@IMAGESTORE@#$LAB_IMAGE_STORE/storage#g" \
    "$LAB_SRC/templates/$1"
}

prepare_host_dirs() {
  local h=$1 H
  H=$(lab_host_dir "$h")
  rm -rf "$H"
  mkdir -p "$H/bin" "$H/root"/{run,var/log,var/lib/containers,etc/containers,etc/systemd/system,etc/firewalld,podman,flux}
  mkdir -p "$H/root/usr/lib/systemd/system"
  cp -a /usr/lib/systemd/system/*.target "$H/root/usr/lib/systemd/system/" 2>/dev/null || true
  cp -a /etc/firewalld/. "$H/root/etc/firewalld/"
  cp -a /etc/containers/. "$H/root/etc/containers/"
  render containers.conf "$h" >"$H/root/etc/containers/containers.conf"
  render storage.conf "$h" >"$H/root/etc/containers/storage.conf"
  render sshd_config "$h" >"$H/sshd_config"
  cp "$LAB_DIR/ssh/hosts/${h}_ed25519" "$H/ssh_host_ed25519_key"
  cp "$LAB_DIR/ssh/hosts/${h}_ed25519.pub" "$H/ssh_host_ed25519_key.pub"
  chmod 0600 "$H/ssh_host_ed25519_key"
  : >"$H/commands.log"
  mkdir -p "$H/home"
  printf '# lab host %s: a plain root shell\n' "$h" >"$H/home/.bashrc"
  printf '# lab host %s\n[ -f ~/.bashrc ] && . ~/.bashrc\n' "$h" >"$H/home/.profile"
  if [ "${LAB_OS[$h]}" = windows-wsl ]; then
    mkdir -p "$H/windows/C"
    cat >"$H/bin/powershell" <<EOF
#!/bin/sh
# PowerShell stand-in for simulated Windows host $h (see lab/powershell.py)
exec /usr/bin/python3 '$LAB_SRC/powershell.py' --host '$h' --address '${LAB_ADDR[$h]}' --state '$H/windows' "\$@"
EOF
    chmod +x "$H/bin/powershell"
  fi
}

start_anchor() {
  local h=$1 H
  H=$(lab_host_dir "$h")
  rm -f "$H/anchor.pid"
  # mount points in the machine's own tree (they stay empty there)
  mkdir -p /podman /flux /var/lib/containers /etc/containers /etc/systemd/system /etc/firewalld
  setsid -f nsenter --net="/var/run/netns/$h" -- \
    unshare --mount --propagation private -- \
    "$LAB_SRC/host-anchor.sh" "$h" "$H" "$SYSTEMCTL_DIR/usr/bin/systemctl" \
    </dev/null >>"$H/anchor.log" 2>&1 9>&-
  anchor_settled() { lab_anchor_pid "$h" || [ -e "$H/anchor.failed" ]; }
  lab_wait 10 "$h's mount namespace" anchor_settled && lab_anchor_pid "$h" >/dev/null ||
    { cat "$H/anchor.log" >&2; lab_die "could not start host $h"; }
}

firewalld_running() { lab_in_host "$1" firewall-cmd --state; }
start_firewalld() {
  local h=$1
  lab_in_host "$h" dbus-daemon --system --fork
  lab_in_host "$h" setsid -f firewalld --nofork --nopid </dev/null >/dev/null 2>&1
  lab_wait 90 "firewalld on $h" firewalld_running "$h" || {
    tail -20 "$(lab_host_dir "$h")/root/var/log/firewalld" >&2
    return 1
  }
}

ssh_ok() {
  ssh -q -i "$LAB_DIR/ssh/id_ed25519" -o BatchMode=yes -o ConnectTimeout=3 \
    -o UserKnownHostsFile="$LAB_DIR/ssh/known_hosts" -o StrictHostKeyChecking=yes \
    "root@${LAB_ADDR[$1]}" true </dev/null
}

start_windows() {
  local h=$1 H n
  H=$(lab_host_dir "$h")
  # The WSL VM's address: a loopback alias in the host's namespace, renumbered on reboot.
  n=$(( $(printf '%s\n' "${LAB_HOSTS[@]}" | grep -n -x "$h" | cut -d: -f1) * 10 ))
  [ -s "$H/windows/wsl-ip" ] || echo "127.77.0.$n" >"$H/windows/wsl-ip"
  lab_in_host "$h" ip addr replace "$(cat "$H/windows/wsl-ip")/32" dev lo
  local f
  for f in portproxy firewall tasks containers; do
    [ -s "$H/windows/$f.json" ] || echo '{}' >"$H/windows/$f.json"
  done
  # Windows Firewall: inbound dropped unless a rule admits it (sshd's rule is built in).
  lab_in_host "$h" /usr/local/sbin/powershell --lab-init
}

start_host() {
  local h=$1 H
  H=$(lab_host_dir "$h")
  if lab_anchor_pid "$h" >/dev/null; then
    lab_sshd_running "$h" || "$LAB_SRC/sshd-start.sh" "$h"
    return 0
  fi
  # A half-built host (anchor gone): clear what is left of it, then build it anew.
  "$LAB_SRC/down.sh" --host "$h" >/dev/null 2>&1 || true
  prepare_host_dirs "$h"
  start_anchor "$h"
  if lab_has_firewalld "$h"; then start_firewalld "$h"; fi
  if [ "${LAB_OS[$h]}" = windows-wsl ]; then start_windows "$h"; fi
  "$LAB_SRC/sshd-start.sh" "$h"
  lab_wait 15 "ssh login to $h" ssh_ok "$h"
  : >"$H/commands.log" # the log starts with the first command of a client, not ours
}

# --- lab.json -----------------------------------------------------------------------------
write_lab_json() {
  local images_json='{}'
  [ -s "$LAB_DIR/images.json" ] && images_json=$(cat "$LAB_DIR/images.json")
  local args=() h
  for h in "${LAB_HOSTS[@]}"; do
    args+=("$h" "${LAB_ADDR[$h]}" "${LAB_OS[$h]}" "$(cut -d' ' -f1,2 "$LAB_DIR/ssh/hosts/${h}_ed25519.pub")"
      "$(lab_host_dir "$h")" "$(lab_has_firewalld "$h" && echo true || echo false)")
  done
  /usr/bin/python3 - "$LAB_DIR" "$LAB_REPO" "$LAB_BRIDGE" "$LAB_BRIDGE_ADDR" "$LAB_OUTSIDER" "$LAB_OUTSIDER_ADDR" \
    "$images_json" "${args[@]}" <<'PY'
import json, os, sys
lab, repo, bridge, bridge_addr, outsider, outsider_addr, images = sys.argv[1:8]
rest = sys.argv[8:]
def rel(p):
    return os.path.relpath(p, repo) if p.startswith(repo + "/") else p
hosts = {}
for i in range(0, len(rest), 6):
    name, addr, os_, key, state, fw = rest[i:i + 6]
    h = {"address": addr, "port": 22, "sshUser": "root", "hostKey": key, "os": os_,
         "netns": name, "stateDir": state, "commandsLog": os.path.join(state, "commands.log"),
         "firewalld": fw == "true"}
    if os_ == "windows-wsl":
        h["windowsStateDir"] = os.path.join(state, "windows")
    hosts[name] = h
doc = {
    "hosts": hosts,
    "outsider": {"address": outsider_addr, "netns": outsider},
    "bridge": {"name": bridge, "address": bridge_addr, "cidr": bridge_addr.rsplit(".", 1)[0] + ".0/24"},
    "tailnetCidr": "100.64.0.0/10",
    "sshPrivateKeyPath": rel(os.path.join(lab, "ssh", "id_ed25519")),
    "sshPrivateKeyAbsPath": os.path.join(lab, "ssh", "id_ed25519"),
    "knownHostsPath": os.path.join(lab, "ssh", "known_hosts"),
    "images": json.loads(images),
}
tmp = os.path.join(lab, "lab.json.tmp")
with open(tmp, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(tmp, os.path.join(lab, "lab.json"))
PY
}

# --- main ---------------------------------------------------------------------------------
exec 9>"$LAB_DIR/up.lock"
flock -w 120 9 || lab_die "another lab/up.sh or lab/down.sh holds $LAB_DIR/up.lock"
export LAB_LOCK_HELD=1
phase() { lab_say "$1 (+$((SECONDS - t0))s)"; }
ensure_systemctl
ensure_keys
if [ "${FABRIC_LAB_SKIP_IMAGES:-}" != 1 ]; then
  "$LAB_SRC/images.sh"
  phase "images ready"
fi
ensure_network
# Hosts come up side by side (firewalld's start-up is the slow part).
declare -A starting=()
for h in "${LAB_HOSTS[@]}"; do
  start_host "$h" >"$LAB_DIR/hosts/.$h.up.log" 2>&1 &
  starting[$h]=$!
done
failed=
for h in "${LAB_HOSTS[@]}"; do
  if ! wait "${starting[$h]}"; then
    failed="$failed $h"
    sed "s/^/  $h: /" "$LAB_DIR/hosts/.$h.up.log" >&2
  fi
  rm -f "$LAB_DIR/hosts/.$h.up.log"
done
[ -z "$failed" ] || lab_die "hosts failed to start:$failed (lab/down.sh clears what is left)"
phase "hosts up"
write_lab_json
lab_say "up in $((SECONDS - t0))s"
"$LAB_SRC/status.sh"
