set -eu
mkdir -p /podman/apps/litellm
umask 077
tmp=$(mktemp /podman/apps/litellm/.env.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0600 "$tmp"
if [ -f /podman/apps/litellm/.env ] && cmp -s "$tmp" /podman/apps/litellm/.env && [ "$(stat -c '%a %u:%g' /podman/apps/litellm/.env)" = "$(stat -c '%a %u:%g' "$tmp")" ]; then
  rm -f "$tmp" /podman/apps/litellm/.env.next
  echo unchanged
else
  mv -f "$tmp" /podman/apps/litellm/.env.next
  echo staged
fi
trap - EXIT
