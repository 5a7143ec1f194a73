set -eu
mkdir -p /flux/apps/vllm/vllm/huggingface
mkdir -p /etc/systemd/system
umask 077
tmp=$(mktemp /etc/systemd/system/vllm.service.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
changed=0
if [ -f /etc/systemd/system/vllm.service ] && cmp -s "$tmp" /etc/systemd/system/vllm.service && [ "$(stat -c '%a %U:%G %u:%g' /etc/systemd/system/vllm.service)" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then
  rm -f "$tmp"
else
  if [ -e /etc/systemd/system/vllm.service ] && [ ! -e /etc/systemd/system/vllm.service.pre-fabric ] && ! head -n 1 /etc/systemd/system/vllm.service | grep -q '^# Written by fabric'; then cp -p /etc/systemd/system/vllm.service /etc/systemd/system/vllm.service.pre-fabric; fi
  mv -f "$tmp" /etc/systemd/system/vllm.service
  changed=1
fi
trap - EXIT
if [ "$changed" = 1 ]; then systemctl daemon-reload; fi
systemctl enable vllm >/dev/null 2>&1 || systemctl enable vllm
if [ "$changed" = 1 ] || ! systemctl is-active --quiet vllm; then systemctl restart vllm; fi
i=0; while ! systemctl is-active --quiet vllm; do
  i=$((i + 1)); if [ "$i" -gt 60 ]; then echo "vllm not active after 60s" >&2; systemctl status vllm >&2 || true; exit 1; fi
  sleep 1
done
if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi
