set -eu
mkdir -p /etc/ask-cli
umask 077
tmp=$(mktemp /etc/ask-cli/env.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root "$tmp"
chmod 0600 "$tmp"
changed=0
if [ -f /etc/ask-cli/env ] && cmp -s "$tmp" /etc/ask-cli/env && [ "$(stat -c '%a %U:%G %u:%g' /etc/ask-cli/env)" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then
  rm -f "$tmp"
else
  if [ -e /etc/ask-cli/env ] && [ ! -e /etc/ask-cli/env.pre-fabric ] && ! head -n 1 /etc/ask-cli/env | grep -q '^# Written by fabric'; then cp -p /etc/ask-cli/env /etc/ask-cli/env.pre-fabric; fi
  mv -f "$tmp" /etc/ask-cli/env
  changed=1
fi
trap - EXIT
if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi
