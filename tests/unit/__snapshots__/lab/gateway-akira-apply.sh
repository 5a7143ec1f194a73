set -eu
dir=/flux/apps/litellm
mkdir -p "$dir"
umask 077
tmp=$(mktemp "$dir/config.yaml.fabric-tmp.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$dir/config.yaml.next"
trap - EXIT
swapped=''
for f in config.yaml .env; do
  [ -e "$dir/$f.next" ] || continue
  if [ -e "$dir/$f" ] && cmp -s "$dir/$f.next" "$dir/$f"; then rm -f "$dir/$f.next"; continue; fi
  if [ -e "$dir/$f" ]; then
    [ -e "$dir/$f.pre-fabric" ] || head -n 1 "$dir/$f" | grep -q '^# Written by fabric' || cp -p "$dir/$f" "$dir/$f.pre-fabric"
    cp -p "$dir/$f" "$dir/$f.prev"
  else
    rm -f "$dir/$f.prev"
  fi
  mv -f "$dir/$f.next" "$dir/$f"
  swapped="$swapped $f"
done
if [ -z "$swapped" ] && [ ! -e "$dir/.restart-pending" ] && systemctl is-active --quiet litellm; then echo unchanged; exit 0; fi
ready() {
  end=$(( $(date +%s) + 90 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    if curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:4000/health/readiness; then return 0; fi
    sleep 1
  done
  return 1
}
systemctl restart litellm
if ready; then rm -f "$dir/.restart-pending"; echo "applied:$swapped"; exit 0; fi
logs=$(podman logs --tail 60 litellm 2>&1 || systemctl status litellm 2>&1 || true)
for f in $swapped; do
  mv -f "$dir/$f" "$dir/$f.next"
  if [ -e "$dir/$f.prev" ]; then mv -f "$dir/$f.prev" "$dir/$f"; fi
done
systemctl restart litellm || true
ready || true
echo "gateway litellm was not ready within 90s; the previous files are back and the new ones stay staged as .next" >&2
echo '--- last lines of litellm ---' >&2
set --
for f in .env .env.next; do if [ -r "$dir/$f" ]; then set -- "$@" "$dir/$f"; fi; done
printf '%s\n' "$logs" | awk 'FILENAME != "-" { i = index($0, "="); if (i > 0 && substr($0, 1, 1) != "#" && length($0) > i) secret[++n] = substr($0, i + 1); next } { for (k = 1; k <= n; k++) { while ((p = index($0, secret[k])) > 0) $0 = substr($0, 1, p - 1) "***" substr($0, p + length(secret[k])) } print }' "$@" - >&2
exit 1
