set -eu
mkdir -p /podman/apps/litellm
mkdir -p /etc/systemd/system
umask 077
tmp=$(mktemp /etc/systemd/system/litellm.service.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
changed=0
if [ -f /etc/systemd/system/litellm.service ] && cmp -s "$tmp" /etc/systemd/system/litellm.service && [ "$(stat -c '%a %U:%G %u:%g' /etc/systemd/system/litellm.service)" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then
  rm -f "$tmp"
else
  if [ -e /etc/systemd/system/litellm.service ] && [ ! -e /etc/systemd/system/litellm.service.pre-fabric ] && ! head -n 1 /etc/systemd/system/litellm.service | grep -q '^# Written by fabric'; then cp -p /etc/systemd/system/litellm.service /etc/systemd/system/litellm.service.pre-fabric; fi
  mv -f "$tmp" /etc/systemd/system/litellm.service
  changed=1
fi
trap - EXIT
if [ "$changed" = 1 ]; then systemctl daemon-reload; fi
if [ "$changed" = 1 ]; then : >/podman/apps/litellm/.restart-pending; fi
systemctl enable litellm >/dev/null 2>&1 || systemctl enable litellm
if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi
