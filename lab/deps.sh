#!/usr/bin/env bash
# Installs the Debian packages the lab needs, idempotently and quietly (apt-get update runs
# at most once, and only when something is missing), and fetches the packages the lab uses
# without installing them (systemctl would remove systemd; redis-tools only lends a binary)
# into the cache. Prints nothing when all is present.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(podman runc conmon openssh-server openssh-client firewalld dbus nftables iproute2 socat
  util-linux procps python3 ca-certificates file tar)
# Fetched as .deb into the cache, unpacked by the lab, never installed.
DOWNLOADS=(systemctl=1.4.4181-1.1 redis-tools liblzf1 libjemalloc2)

updated=
apt_update_once() {
  [ -n "$updated" ] && return 0
  apt-get update -qq >/dev/null
  updated=1
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  lab_say "apt-get install ${missing[*]}"
  apt_update_once
  # policy-rc.d 101: do not start sshd, dbus or firewalld in the machine's own namespace.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

debdir="$LAB_CACHE/debs"
mkdir -p "$debdir"
for spec in "${DOWNLOADS[@]}"; do
  name=${spec%%=*}
  compgen -G "$debdir/${name}_*.deb" >/dev/null && continue
  tmp=$(mktemp -d)
  chmod 0777 "$tmp" # apt's download sandbox user writes there
  if ! (cd "$tmp" && apt-get download -qq "$spec" >/dev/null 2>&1); then
    apt_update_once
    (cd "$tmp" && apt-get download -qq "$spec" >/dev/null 2>&1) || lab_die "apt-get download $spec failed"
  fi
  mv "$tmp"/*.deb "$debdir/"
  rm -rf "$tmp"
done
