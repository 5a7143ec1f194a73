set -eu
systemctl stop vllm >/dev/null 2>&1 || true
systemctl disable vllm >/dev/null 2>&1 || true
if [ -e /etc/systemd/system/vllm.service.pre-fabric ]; then
  mv -f /etc/systemd/system/vllm.service.pre-fabric /etc/systemd/system/vllm.service
  systemctl daemon-reload
  systemctl enable --now vllm >/dev/null 2>&1 || true
else
  rm -f /etc/systemd/system/vllm.service
  systemctl daemon-reload
fi
