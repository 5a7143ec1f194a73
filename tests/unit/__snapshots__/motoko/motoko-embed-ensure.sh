set -eu
mkdir -p /podman/apps/vllm/vllm-embeddings-motoko/huggingface
mkdir -p /etc/systemd/system
umask 077
tmp=$(mktemp /etc/systemd/system/vllm-embeddings-motoko.service.fabric-tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
changed=0
if [ -f /etc/systemd/system/vllm-embeddings-motoko.service ] && cmp -s "$tmp" /etc/systemd/system/vllm-embeddings-motoko.service && [ "$(stat -c '%a %U:%G %u:%g' /etc/systemd/system/vllm-embeddings-motoko.service)" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then
  rm -f "$tmp"
else
  if [ -e /etc/systemd/system/vllm-embeddings-motoko.service ] && [ ! -e /etc/systemd/system/vllm-embeddings-motoko.service.pre-fabric ] && ! head -n 1 /etc/systemd/system/vllm-embeddings-motoko.service | grep -q '^# Written by fabric'; then cp -p /etc/systemd/system/vllm-embeddings-motoko.service /etc/systemd/system/vllm-embeddings-motoko.service.pre-fabric; fi
  mv -f "$tmp" /etc/systemd/system/vllm-embeddings-motoko.service
  changed=1
fi
trap - EXIT
if [ "$changed" = 1 ]; then systemctl daemon-reload; fi
systemctl enable vllm-embeddings-motoko >/dev/null 2>&1 || systemctl enable vllm-embeddings-motoko
if [ "$changed" = 1 ] || ! systemctl is-active --quiet vllm-embeddings-motoko; then systemctl restart vllm-embeddings-motoko; fi
i=0; while ! systemctl is-active --quiet vllm-embeddings-motoko; do
  i=$((i + 1)); if [ "$i" -gt 60 ]; then echo "vllm-embeddings-motoko not active after 60s" >&2; systemctl status vllm-embeddings-motoko >&2 || true; exit 1; fi
  sleep 1
done
if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi
