set -eu
mkdir -p /flux/apps/litellm
umask 077
tmp=$(mktemp /flux/apps/litellm/.env.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0600 "$tmp"
if [ -f /flux/apps/litellm/.env ] && cmp -s "$tmp" /flux/apps/litellm/.env && [ "$(stat -c '%a %u:%g' /flux/apps/litellm/.env)" = "$(stat -c '%a %u:%g' "$tmp")" ]; then
  rm -f "$tmp" /flux/apps/litellm/.env.next
  echo unchanged
else
  mv -f "$tmp" /flux/apps/litellm/.env.next
  echo staged
fi
trap - EXIT
