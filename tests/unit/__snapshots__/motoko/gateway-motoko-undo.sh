set -eu
dir=/podman/apps/litellm
f=config.yaml
rm -f "$dir/$f.next" "$dir/$f.prev" "$dir/.restart-pending"
if [ -e "$dir/$f.pre-fabric" ]; then mv -f "$dir/$f.pre-fabric" "$dir/$f"; else rm -f "$dir/$f"; fi
