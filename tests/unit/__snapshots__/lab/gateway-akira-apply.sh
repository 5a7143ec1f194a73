# for unit litellm 0123456789abcdef
set -eu
dir=/flux/apps/litellm
f=config.yaml
mkdir -p "$dir"
umask 077
tmp=$(mktemp "$dir/$f.fabric-tmp.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$dir/$f.next"
trap - EXIT
changed=0
if [ -e "$dir/$f" ] && cmp -s "$dir/$f.next" "$dir/$f" && [ "$(stat -c '%a' "$dir/$f")" = "$(stat -c '%a' "$dir/$f.next")" ]; then
  rm -f "$dir/$f.next"
else
  if [ -e "$dir/$f" ]; then
    [ -e "$dir/$f.pre-fabric" ] || head -n 1 "$dir/$f" | grep -q '^# Written by fabric' || cp -p "$dir/$f" "$dir/$f.pre-fabric"
    cp -p "$dir/$f" "$dir/$f.prev"
  else
    rm -f "$dir/$f.prev"
  fi
  mv -f "$dir/$f.next" "$dir/$f"
  changed=1
fi
if ! { [ "$changed" = 1 ] || [ -e "$dir/.restart-pending" ] || ! systemctl is-active --quiet litellm; }; then
  if [ "$changed" = 1 ]; then echo "changed (litellm not running: it starts with its config)"; else echo unchanged; fi
  exit 0
fi
ready() {
  end=$(( $(date +%s) + 90 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    if curl -fs -o /dev/null --max-time 2 http://127.0.0.1:4000/health/readiness; then return 0; fi
    sleep 1
  done
  return 1
}
systemctl restart litellm
if ready; then rm -f "$dir/.restart-pending"; echo "applied $f, litellm ready"; exit 0; fi
logs=$(podman logs --tail 60 litellm 2>&1 || systemctl status litellm 2>&1 || true)
if [ "$changed" = 1 ]; then
  mv -f "$dir/$f" "$dir/$f.next"
  if [ -e "$dir/$f.prev" ]; then mv -f "$dir/$f.prev" "$dir/$f"; fi
  systemctl restart litellm || true
  ready || true
fi
echo "gateway litellm was not ready within 90s; the previous $f is back and the new one stays staged as $f.next" >&2
echo '--- last lines of litellm ---' >&2
set --
for e in .env .env.next; do if [ -r "$dir/$e" ]; then set -- "$@" "$dir/$e"; fi; done
printf '%s\n' "$logs" | awk 'FILENAME != "-" { i = index($0, "="); if (i > 0 && substr($0, 1, 1) != "#" && length($0) > i) secret[++n] = substr($0, i + 1); next } { for (k = 1; k <= n; k++) { while ((p = index($0, secret[k])) > 0) $0 = substr($0, 1, p - 1) "***" substr($0, p + length(secret[k])) } print }' "$@" - >&2
exit 1
