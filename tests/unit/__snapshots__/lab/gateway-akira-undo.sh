set -eu
dir=/flux/apps/litellm
rm -f "$dir/.restart-pending"
for f in config.yaml .env; do
  rm -f "$dir/$f.next" "$dir/$f.prev"
  if [ -e "$dir/$f.pre-fabric" ]; then mv -f "$dir/$f.pre-fabric" "$dir/$f"; else rm -f "$dir/$f"; fi
done
