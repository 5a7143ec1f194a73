set -eu
mkdir -p /podman/apps/litellm
umask 077
tmp=$(mktemp /podman/apps/litellm/.env.next.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0600 "$tmp"
changed=0
if [ -f /podman/apps/litellm/.env.next ] && cmp -s "$tmp" /podman/apps/litellm/.env.next && [ "$(stat -c '%a %U:%G %u:%g' /podman/apps/litellm/.env.next)" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then
  rm -f "$tmp"
else
  mv -f "$tmp" /podman/apps/litellm/.env.next
  changed=1
fi
trap - EXIT
if [ "$changed" = 1 ]; then echo staged; else echo unchanged; fi
