set -eu
mkdir -p /podman/apps/vllm/openai-standin/huggingface
mkdir -p /etc/systemd/system
umask 077
tmp=$(mktemp /etc/systemd/system/openai-standin.service.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
changed=0
if [ -f /etc/systemd/system/openai-standin.service ] && cmp -s "$tmp" /etc/systemd/system/openai-standin.service && [ "$(stat -c '%a %U:%G %u:%g' /etc/systemd/system/openai-standin.service)" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then
  rm -f "$tmp"
else
  if [ -e /etc/systemd/system/openai-standin.service ] && [ ! -e /etc/systemd/system/openai-standin.service.pre-fabric ] && ! head -n 1 /etc/systemd/system/openai-standin.service | grep -q '^# Written by fabric'; then cp -p /etc/systemd/system/openai-standin.service /etc/systemd/system/openai-standin.service.pre-fabric; fi
  mv -f "$tmp" /etc/systemd/system/openai-standin.service
  changed=1
fi
trap - EXIT
if [ "$changed" = 1 ]; then systemctl daemon-reload; fi
systemctl enable openai-standin >/dev/null 2>&1 || systemctl enable openai-standin
if [ "$changed" = 1 ] || ! systemctl is-active --quiet openai-standin; then systemctl restart openai-standin; fi
i=0; while ! systemctl is-active --quiet openai-standin; do
  i=$((i + 1)); if [ "$i" -gt 60 ]; then echo "openai-standin not active after 60s" >&2; systemctl status openai-standin >&2 || true; exit 1; fi
  sleep 1
done
if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi
