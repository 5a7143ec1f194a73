set -eu
mkdir -p /flux/apps/litellm
umask 077
tmp=$(mktemp /flux/apps/litellm/.env.next.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0600 "$tmp"
changed=0
if [ -f /flux/apps/litellm/.env.next ] && cmp -s "$tmp" /flux/apps/litellm/.env.next && [ "$(stat -c '%a %U:%G %u:%g' /flux/apps/litellm/.env.next)" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then
  rm -f "$tmp"
else
  mv -f "$tmp" /flux/apps/litellm/.env.next
  changed=1
fi
trap - EXIT
if [ "$changed" = 1 ]; then echo staged; else echo unchanged; fi
