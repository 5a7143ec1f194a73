set -eu
systemctl stop openai-standin >/dev/null 2>&1 || true
systemctl disable openai-standin >/dev/null 2>&1 || true
if [ -e /etc/systemd/system/openai-standin.service.pre-fabric ]; then
  mv -f /etc/systemd/system/openai-standin.service.pre-fabric /etc/systemd/system/openai-standin.service
  systemctl daemon-reload
  systemctl enable --now openai-standin >/dev/null 2>&1 || true
else
  rm -f /etc/systemd/system/openai-standin.service
  systemctl daemon-reload
fi
