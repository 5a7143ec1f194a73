#!/usr/bin/env bash
# Runs as the first process of a lab host's private mount namespace (started by lab/up.sh
# through `nsenter --net=… unshare --mount --propagation private`). It bind-mounts the host's
# own directories over the machine's, records its pid, then sleeps for ever: as long as it
# lives, the host's mount namespace lives, and every other lab tool joins it by this pid.
set -euo pipefail
hostdir=$2 systemctl_bin=$3 # $1: the host name (for ps)
root="$hostdir/root"
# Any failure before the final exec leaves a mark lab/up.sh waits for (exec runs no trap).
trap 'touch "$hostdir/anchor.failed"' EXIT

# Copies of the root namespace's netns bind mounts would pin the other hosts' network
# namespaces for as long as this one lives; drop them (this namespace is private).
for m in /run/netns/*; do
  if [ -e "$m" ]; then umount -l "$m" 2>/dev/null || true; fi
done

bind() { mount --bind "$1" "$2"; }

bind "$root/run" /run
mkdir -p /run/sshd /run/dbus /run/lock /run/containers /run/libpod /run/systemd /run/firewalld /run/user
chmod 0755 /run/sshd
bind "$root/var/log" /var/log
bind "$root/var/lib/containers" /var/lib/containers
bind "$root/etc/containers" /etc/containers
bind "$root/etc/systemd/system" /etc/systemd/system
# The machine's own units (systemd, getty, podman.socket, …) mean nothing on a lab host and
# make the systemctl stand-in print a page of parse errors at every daemon-reload.
bind "$root/usr/lib/systemd/system" /usr/lib/systemd/system
bind "$root/etc/firewalld" /etc/firewalld
bind "$root/podman" /podman
bind "$root/flux" /flux
bind "$hostdir/bin" /usr/local/sbin
bind "$systemctl_bin" /usr/bin/systemctl
# sshd runs every command through root's shell, which reads ~/.bashrc: give the host a plain
# one instead of this machine's (whose pyenv set-up alone costs 0.3 s per command).
for f in .bashrc .profile; do
  if [ -e "/root/$f" ]; then bind "$hostdir/home/$f" "/root/$f"; fi
done
mount -t tmpfs -o size=64m,mode=1777 tmpfs /dev/shm

echo $$ >"$hostdir/anchor.pid"
exec sleep infinity
