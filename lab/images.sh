#!/usr/bin/env bash
# Builds the lab's container images without any registry, once, into a shared image store
# that every lab host reads (read-only, through additionalimagestores in its storage.conf):
#   standin  the vLLM stand-in (a static Go binary from scripts/standin.sh)
#   litellm  a real LiteLLM proxy: the venv from scripts/litellm.sh, its Python and the
#            shared libraries they load (found with ldd), as a minimal root file system
#   redis    Debian's redis-server binary and its libraries
# Each is a `podman import` of a tar made here, labelled with the hash of its sources: an image
# whose sources did not change is not rebuilt. Writes $FABRIC_LAB_DIR/images.json.
#   FABRIC_LAB_STANDIN_BIN / FABRIC_LAB_LITELLM_BIN: use this binary instead of asking the scripts
#   FABRIC_LAB_IMAGES="standin redis litellm": which images to make
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STORE=$LAB_IMAGE_STORE
WORK="$STORE/work"
mkdir -p "$STORE/storage" "$STORE/run" "$STORE/tmp" "$STORE/tars" "$LAB_DIR"
WANT=${FABRIC_LAB_IMAGES:-standin redis litellm}
# Bump when the way an image is made changes: every image is then made again.
RECIPE=r3

# podman on the shared store, in a private mount namespace with its own /dev/shm (podman's
# locks) so that nothing it does touches the machine's own podman state.
builder() {
  unshare --mount --propagation private -- /bin/sh -c 'mount -t tmpfs -o size=16m tmpfs /dev/shm && exec "$@"' sh \
    podman --root "$STORE/storage" --runroot "$STORE/run" --tmpdir "$STORE/tmp" \
    --storage-driver overlay --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"
}

image_source() { builder image inspect --format '{{index .Labels "fabric.lab.source"}}' "$1" 2>/dev/null || true; }

# deterministic tar of a root file system directory
pack() { tar --sort=name --mtime=@0 --numeric-owner -C "$1" -cf "$2" .; }

# import_image TAG TAR SOURCE-HASH CHANGE...
import_image() {
  local tag=$1 tar=$2 source=$3; shift 3
  local changes=(--change "LABEL fabric.lab.source=$source")
  local c
  for c in "$@"; do changes+=(--change "$c"); done
  builder import --quiet "${changes[@]}" "$tar" "$tag" >/dev/null
}

# A minimal root file system: merged /usr like Debian 12, /tmp, passwd and CA certificates.
base_rootfs() {
  local r=$1
  rm -rf "$r"
  mkdir -p "$r"/{usr/bin,usr/lib/x86_64-linux-gnu,usr/lib64,usr/local/bin,etc/ssl/certs,tmp,root,data,app,var/tmp}
  ln -s usr/bin "$r/bin"
  ln -s usr/lib "$r/lib"
  ln -s usr/lib64 "$r/lib64"
  ln -s usr/bin "$r/sbin"
  chmod 1777 "$r/tmp" "$r/var/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:999:redis:/data:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nredis:x:999:\nnogroup:x:65534:\n' >"$r/etc/group"
  cp -L /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"
}

# Where a path of this machine goes in the image (merged /usr: /lib/x → usr/lib/x).
image_path() {
  local p=$1 dir
  dir=$(readlink -f "$(dirname "$p")")
  echo "$dir/$(basename "$p")"
}

# copy_libs ROOTFS EXTRA_ROOT FILE...: copies the shared libraries FILE... load (ldd), taking a
# library found under EXTRA_ROOT (unpacked .debs) to its path without that prefix.
copy_libs() {
  local r=$1 extra=$2; shift 2
  local libpath=
  [ -n "$extra" ] && libpath="$extra/usr/lib/x86_64-linux-gnu"
  local missing
  missing=$(printf '%s\0' "$@" | LD_LIBRARY_PATH=$libpath xargs -0 -r ldd 2>/dev/null | awk '/not found/ {print $1}' | sort -u)
  [ -z "$missing" ] || lab_die "libraries not found for the image: $missing"
  local lib dest
  printf '%s\0' "$@" | LD_LIBRARY_PATH=$libpath xargs -0 -r ldd 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u |
    while read -r lib; do
      # already in the image (found through an $ORIGIN run path of a file in it)
      [[ $lib == "$r"/* ]] && continue
      if [ -n "$extra" ] && [[ $lib == "$extra"/* ]]; then
        dest=${lib#"$extra"}
      else
        dest=$(image_path "$lib")
      fi
      [ -e "$r$dest" ] && continue
      mkdir -p "$r$(dirname "$dest")"
      cp -L "$lib" "$r$dest"
    done
}

# copy_chain ROOTFS PATH: a symlink chain (venv/bin/python3 → /usr/bin/python3 → python3.11),
# every link and the file it ends at, each at its own path.
copy_chain() {
  local r=$1 p=$2 hops=0 target
  while [ -L "$p" ] && [ $hops -lt 10 ]; do
    target=$(readlink "$p")
    mkdir -p "$r$(dirname "$p")"
    [ -e "$r$p" ] || [ -L "$r$p" ] || ln -s "$target" "$r$p"
    case $target in
      /*) p=$target ;;
      *) p="$(dirname "$p")/$target" ;;
    esac
    hops=$((hops + 1))
  done
  mkdir -p "$r$(dirname "$p")"
  [ -e "$r$p" ] || cp "$p" "$r$p"
}

elf_files() { # ELF files under the given directories
  find "$@" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) -print0 2>/dev/null |
    xargs -0 -r file -N -F $'\t' | awk -F'\t' '$2 ~ /ELF/ {print $1}'
}

# --- standin ------------------------------------------------------------------------------
build_standin() {
  local bin=${FABRIC_LAB_STANDIN_BIN:-}
  if [ -z "$bin" ]; then
    [ -x "$LAB_REPO/scripts/standin.sh" ] || { lab_say "warning: no scripts/standin.sh yet: no stand-in image"; return 0; }
    bin=$("$LAB_REPO/scripts/standin.sh" | tail -1)
  fi
  [ -x "$bin" ] || lab_die "stand-in binary $bin not found"
  local source
  source="standin-$RECIPE-$(sha256sum "$bin" | cut -c1-16)"
  if [ "$(image_source "$LAB_IMAGE_STANDIN")" != "$source" ]; then
    local r="$WORK/standin"
    base_rootfs "$r"
    cp "$bin" "$r/usr/local/bin/standin"
    pack "$r" "$STORE/tars/standin.tar"
    import_image "$LAB_IMAGE_STANDIN" "$STORE/tars/standin.tar" "$source" \
      'ENTRYPOINT ["/usr/local/bin/standin"]' 'ENV PATH=/usr/local/bin:/usr/bin'
    rm -rf "$r"
    lab_say "image $LAB_IMAGE_STANDIN built ($(du -h "$STORE/tars/standin.tar" | cut -f1))"
  fi
  IMAGES[standin]=$LAB_IMAGE_STANDIN
}

# --- redis --------------------------------------------------------------------------------
build_redis() {
  local debs=("$LAB_CACHE"/debs/redis-tools_*.deb "$LAB_CACHE"/debs/liblzf1_*.deb "$LAB_CACHE"/debs/libjemalloc2_*.deb)
  local source
  source="redis-$RECIPE-$(cat "${debs[@]}" | sha256sum | cut -c1-16)"
  if [ "$(image_source "$LAB_IMAGE_REDIS")" != "$source" ]; then
    local x="$WORK/redis-debs" r="$WORK/redis"
    rm -rf "$x"
    mkdir -p "$x"
    local d
    for d in "${debs[@]}"; do dpkg -x "$d" "$x"; done
    base_rootfs "$r"
    # redis-server and redis-check-rdb are one binary that looks at its own name.
    cp "$x/usr/bin/redis-check-rdb" "$r/usr/bin/redis-server"
    cp "$x/usr/bin/redis-cli" "$r/usr/bin/redis-cli"
    copy_libs "$r" "$x" "$r/usr/bin/redis-server" "$r/usr/bin/redis-cli"
    chown 999:999 "$r/data"
    pack "$r" "$STORE/tars/redis.tar"
    import_image "$LAB_IMAGE_REDIS" "$STORE/tars/redis.tar" "$source" \
      'ENV PATH=/usr/local/bin:/usr/bin' 'WORKDIR /data' 'USER 999:999' 'CMD ["redis-server"]'
    rm -rf "$r" "$x"
    lab_say "image $LAB_IMAGE_REDIS built ($(du -h "$STORE/tars/redis.tar" | cut -f1))"
  fi
  IMAGES[redis]=$LAB_IMAGE_REDIS
}

# --- litellm ------------------------------------------------------------------------------
build_litellm() {
  local exe=${FABRIC_LAB_LITELLM_BIN:-}
  if [ -z "$exe" ]; then
    [ -x "$LAB_REPO/scripts/litellm.sh" ] || { lab_say "warning: no scripts/litellm.sh yet: no LiteLLM image"; return 0; }
    exe=$("$LAB_REPO/scripts/litellm.sh" | tail -1)
  fi
  [ -x "$exe" ] || lab_die "litellm executable $exe not found"
  local venv python version tag
  venv=$(cd "$(dirname "$exe")/.." && pwd)
  python="$venv/bin/python"
  version=$("$python" -c 'import importlib.metadata as m; print(m.version("litellm"))')
  tag="localhost/litellm:lab-$version"
  # The venv's own record of what is installed, and the interpreter it runs on.
  local source
  source="litellm-$version-$RECIPE-$( (cat "$venv/pyvenv.cfg"; "$python" -m pip freeze --all 2>/dev/null; readlink -f "$python") | sha256sum | cut -c1-16)"
  if [ "$(image_source "$tag")" != "$source" ]; then
    local t0=$SECONDS r="$WORK/litellm"
    base_rootfs "$r"
    # The interpreter: its executable and standard library, where the venv expects them.
    local base_exe paths link
    base_exe=$(readlink -f "$python")
    mapfile -t paths < <("$python" -c 'import sys, sysconfig
p = sysconfig.get_paths()
print(p["stdlib"]); print(p["platstdlib"])
print(sys.base_prefix)')
    local stdlib=${paths[0]} platstdlib=${paths[1]}
    for link in "$venv"/bin/python*; do
      [ -L "$link" ] && copy_chain "$r" "$link"
    done
    local d
    for d in "$stdlib" "$platstdlib"; do
      [ -e "$r$d" ] && continue
      mkdir -p "$r$d"
      tar -C "$d" --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./turtledemo \
        --exclude=./ensurepip --exclude=./site-packages --exclude=./dist-packages \
        --exclude='./config-*' -cf - . | tar -C "$r$d" -xf -
    done
    # The venv itself, at its own absolute path (its scripts' #! lines name it).
    mkdir -p "$r$venv"
    tar -C "$venv" --skip-old-files -cf - . | tar -C "$r$venv" --skip-old-files -xf -
    # Everything native they load.
    local elves
    mapfile -t elves < <(elf_files "$r$venv" "$r$stdlib" "$r$platstdlib"; echo "$r$base_exe")
    copy_libs "$r" "" "${elves[@]}"
    pack "$r" "$STORE/tars/litellm.tar"
    import_image "$tag" "$STORE/tars/litellm.tar" "$source" \
      "ENTRYPOINT [\"$venv/bin/litellm\"]" "ENV PATH=$venv/bin:/usr/local/bin:/usr/bin" \
      'ENV PYTHONDONTWRITEBYTECODE=1' 'ENV LITELLM_LOCAL_MODEL_COST_MAP=True' 'WORKDIR /app'
    rm -rf "$r"
    lab_say "image $tag built in $((SECONDS - t0))s ($(du -h "$STORE/tars/litellm.tar" | cut -f1))"
  fi
  IMAGES[litellm]=$tag
}

declare -A IMAGES=()
for image in $WANT; do
  case $image in
    standin) build_standin ;;
    redis) build_redis ;;
    litellm) build_litellm ;;
    *) lab_die "unknown image $image" ;;
  esac
done
rm -rf "$WORK"
# Superseded images go only while no lab host runs: a host's containers use their layers.
up=0
for h in "${LAB_HOSTS[@]}"; do lab_anchor_pid "$h" >/dev/null 2>&1 && up=1; done
if [ $up = 0 ]; then builder image prune -f >/dev/null 2>&1 || true; fi

# images.json: what the lab stack config can name. An image not made this time (its script
# is missing) stays listed while the store still holds it.
present=$(builder images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null || true)
args=()
for k in standin litellm redis; do args+=("$k" "${IMAGES[$k]:-}"); done
/usr/bin/python3 - "$LAB_DIR/images.json" "$present" "${args[@]}" <<'PY'
import json, os, sys
path, present = sys.argv[1], set(sys.argv[2].split())
try:
    with open(path) as f:
        images = json.load(f)
except (OSError, ValueError):
    images = {}
images = {k: v for k, v in images.items() if v in present}
rest = sys.argv[3:]
for k, v in zip(rest[::2], rest[1::2]):
    if v:
        images[k] = v
with open(path + ".tmp", "w") as f:
    json.dump(images, f, indent=2, sort_keys=True)
    f.write("\n")
os.replace(path + ".tmp", path)
PY
