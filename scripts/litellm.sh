#!/usr/bin/env bash
# Installs the pinned LiteLLM proxy into a virtual environment under
# ${FABRIC_CACHE:-~/.cache/fabric}/litellm/<version>/, once, and prints the path of its
# `litellm` executable. A second call only checks a stamp file and prints the path.
#
# Why this version: see docs/notes/litellm.md. In short, 1.106.2 is the newest release whose
# dependencies all resolve from the package index reached here (1.106.3 and later, and the
# late 1.103.x/1.104.x/1.105.x patch releases, require certifi>=2026.10.19, which the index
# does not have). Never 1.82.7 or 1.82.8 (compromised), nor 1.107.0 (reported compromised;
# withdrawn from the index). No release reads general_settings.cors_allow_origins: CORS is
# the environment variable LITELLM_CORS_ORIGINS (read since 1.84.0).
#
# Atomic: the venv is built in a temporary directory beside its final place, its scripts' #!
# lines are pointed at the final place, and then it is renamed into place. An interrupted
# install leaves only a temporary directory, which the next run removes.
set -euo pipefail

readonly VERSION=1.106.2
# Every package of the install, pinned (pip freeze of a working install), so every machine
# gets the same environment whatever the index serves later.
CONSTRAINTS=$(cat <<'EOF'
aiohappyeyeballs==2.7.1
aiohttp==3.14.5
aiosignal==1.4.0
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
APScheduler==3.11.3
attrs==26.1.0
azure-core==1.41.0
azure-identity==1.27.0
azure-storage-blob==12.31.1
backoff==2.2.1
boto3==1.44.5
botocore==1.44.5
certifi==2026.10.18
cffi==2.1.1
charset-normalizer==3.5.2
click==8.5.1
croniter==7.0.0
cryptography==50.0.2
distro==1.9.0
dnspython==2.9.2
email-validator==2.4.0
Expression==5.8.0
fastapi==0.165.0
fastapi-sso==0.23.0
fastuuid==0.14.0
filelock==3.32.7
frozenlist==1.8.0
fsspec==2026.9.0
granian==2.8.7
gunicorn==23.0.0
h11==0.16.0
h2==4.4.1
hf-xet==1.8.0
hiredis==3.5.0
hpack==4.2.0
httpcore==1.0.9
httpcore2==2.16.2
httpx==0.28.1
httpx2==2.16.2
huggingface_hub==1.33.0
hyperframe==6.1.0
idna==3.20
importlib_metadata==8.9.0
inquirerpy==0.3.4
isodate==0.7.2
Jinja2==3.1.6
jiter==0.19.0
jmespath==1.1.0
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
litellm==1.106.2
litellm-enterprise==0.1.76.post1
litellm-proxy-extras==0.4.108
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mcp==2.3.0
mcp-types==2.3.0
mdurl==0.1.2
msal==1.39.0
msal-extensions==1.3.1
multidict==7.2.1
nodeenv==1.12.0
numpy==2.4.6
oauthlib==4.0.1
openai==2.54.0
opentelemetry-api==1.45.2
orjson==3.13.0
packaging==26.3
pfzy==0.3.4
polars==1.44.2
polars-runtime-32==1.44.2
prisma==0.15.0
prometheus_client==0.26.0
prompt_toolkit==3.0.53
propcache==0.5.4
psycopg==3.3.9
psycopg-binary==3.3.9
pycparser==3.12
pydantic==2.14.3
pydantic-settings==2.16.3
pydantic_core==2.50.4
Pygments==2.21.0
PyJWT==2.15.1
PyNaCl==1.6.2
pyroscope-io==0.8.16
python-dateutil==2.9.0.post0
python-dotenv==1.2.4
python-multipart==0.0.34
PyYAML==6.0.3
redis==8.1.0
referencing==0.37.0
regex==2026.11.15
requests==2.34.2
RestrictedPython==8.5
rich==13.9.4
rpds-py==2026.9.1
rq==2.12.0
s3transfer==0.19.3
six==1.17.0
sniffio==1.3.1
soundfile==0.14.0
sse-starlette==3.7.0
starlette==1.10.0
tiktoken==0.14.0
tokenizers==0.23.3
tomlkit==0.15.2
tqdm==4.70.1
truststore==0.10.5
typing-inspection==0.4.5
typing_extensions==4.16.0
tzlocal==5.4.5
urllib3==2.8.0
uvicorn==0.54.0
uvloop==0.23.0
wcwidth==0.9.4
websockets==15.0.1
yarl==1.25.1
zipp==4.1.2
EOF
)
readonly CONSTRAINTS
# prisma: only imported, never used (no database here), but without it a request with no key
# gets 500 instead of 401 (the auth error handler imports it). prometheus-client: needed by
# `callbacks: ["prometheus"]` (not in the [proxy] extra; without it the proxy fails to start).
readonly REQUIREMENTS=("litellm[proxy]==$VERSION" prisma==0.15.0 prometheus-client==0.26.0)
readonly CACHE="${FABRIC_CACHE:-$HOME/.cache/fabric}"
readonly BASE="$CACHE/litellm"
readonly DEST="$BASE/$VERSION"
readonly PYTHON=${FABRIC_PYTHON:-python3}

# What the venv was built from: a different stamp means rebuild.
stamp=$(printf '%s\n%s\n%s\n' "${REQUIREMENTS[*]}" "$CONSTRAINTS" \
  "$("$PYTHON" -c 'import sys; print(sys.version.split()[0], sys.executable)')" | sha256sum | cut -c1-16)

if [ -x "$DEST/bin/litellm" ] && [ "$(cat "$DEST/.fabric-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$DEST/bin/litellm"
  exit 0
fi

mkdir -p "$BASE"
exec 9>"$BASE/.lock"
flock 9
# Another run may have finished it while this one waited for the lock.
if [ -x "$DEST/bin/litellm" ] && [ "$(cat "$DEST/.fabric-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$DEST/bin/litellm"
  exit 0
fi

rm -rf "$BASE"/.tmp-*
t0=$(date +%s)
tmp=$(mktemp -d "$BASE/.tmp-$VERSION-XXXXXX")
chmod 755 "$tmp" # mktemp makes it 0700; the lab image runs it as another user
trap 'rm -rf "$tmp"' EXIT
echo "fabric: installing ${REQUIREMENTS[*]} into $DEST (a few minutes, once)" >&2
"$PYTHON" -m venv --prompt "litellm-$VERSION" "$tmp"
printf '%s\n' "$CONSTRAINTS" >"$tmp/.fabric-constraints.txt"
# --no-compile: bytecode is compiled below with the final paths in it.
PIP_DISABLE_PIP_VERSION_CHECK=1 "$tmp/bin/pip" install --quiet --no-compile --only-binary=:all: \
  --constraint "$tmp/.fabric-constraints.txt" "${REQUIREMENTS[@]}" >&2

# Point the venv at its final place: #! lines, activate scripts, pyvenv.cfg.
grep -rlI --null -F "$tmp" "$tmp/bin" "$tmp/pyvenv.cfg" | xargs -0 -r sed -i "s|$tmp|$DEST|g"
site=$("$tmp/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$tmp/bin/python" -m compileall -q -j 0 -d "$DEST${site#"$tmp"}" "$site" >/dev/null 2>&1 || true
echo "$stamp" >"$tmp/.fabric-stamp"

if [ -e "$DEST" ]; then
  old="$BASE/.tmp-old-$VERSION-$$"
  mv "$DEST" "$old"
  mv "$tmp" "$DEST"
  rm -rf "$old"
else
  mv "$tmp" "$DEST"
fi
trap - EXIT
LITELLM_LOCAL_MODEL_COST_MAP=True "$DEST/bin/litellm" --version >/dev/null 2>&1 || { echo "fabric: $DEST/bin/litellm does not run" >&2; exit 1; }
echo "fabric: litellm $VERSION installed in $(($(date +%s) - t0))s" >&2
echo "$DEST/bin/litellm"
