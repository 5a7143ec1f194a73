set -eu
systemctl stop vllm-embeddings-motoko >/dev/null 2>&1 || true
systemctl disable vllm-embeddings-motoko >/dev/null 2>&1 || true
if [ -e /etc/systemd/system/vllm-embeddings-motoko.service.pre-fabric ]; then
  mv -f /etc/systemd/system/vllm-embeddings-motoko.service.pre-fabric /etc/systemd/system/vllm-embeddings-motoko.service
  systemctl daemon-reload
  systemctl enable --now vllm-embeddings-motoko >/dev/null 2>&1 || true
else
  rm -f /etc/systemd/system/vllm-embeddings-motoko.service
  systemctl daemon-reload
fi
