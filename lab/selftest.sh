#!/usr/bin/env bash
# Checks a running lab end to end, over SSH like fabric: command logging, podman in a host's
# namespace, the systemctl stand-in, firewalld's rich rule (tailnet in, outsider out), the
# Windows stand-in's contract and a simulated reboot. It removes what it made, but it installs
# and removes the Windows scripts on armitage and reboots it, and its commands land in the
# hosts' command logs: so it runs only on a fresh lab (every command log empty; it empties them
# again at the end), or with --force (the logs keep its commands). Prints 'N passed, N failed'; exit 1 on any failure.
# Usage: lab/selftest.sh [--force]      (right after lab/up.sh)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -s "$LAB_DIR/lab.json" ] || lab_die "the lab is not up (lab/up.sh)"
standin=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"].get("standin",""))' "$LAB_DIR/lab.json")
[ -n "$standin" ] || lab_die "no stand-in image in lab.json"
if [ "${1:-}" != --force ]; then
  for h in "${LAB_HOSTS[@]}"; do
    [ -s "$(lab_host_dir "$h")/commands.log" ] && lab_die "$h has been used (its commands.log is not empty): run on a fresh lab, or --force"
  done
fi

pass=0 fail=0
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@" >/tmp/lab-selftest.$$ 2>&1; then
    pass=$((pass + 1)); printf 'ok    %s\n' "$name"
  else
    fail=$((fail + 1)); printf 'FAIL  %s\n' "$name"; sed 's/^/      /' /tmp/lab-selftest.$$ | tail -15
  fi
}
trap 'rm -f /tmp/lab-selftest.$$' EXIT

on() { # on HOST COMMAND (over SSH, logged)
  local h=$1; shift
  ssh -q -i "$LAB_DIR/ssh/id_ed25519" -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$LAB_DIR/ssh/known_hosts" "root@${LAB_ADDR[$h]}" "$@"
}
http() { curl -s -m "${2:-3}" -o /dev/null -w '%{http_code}' "$1"; }
wait_http() { # wait_http URL [NETNS]: bounded poll for an answer
  local _
  for _ in $(seq 1 50); do
    if [ -n "${2:-}" ]; then
      [ "$("$LAB_SRC/exec.sh" "$2" curl -s -m 1 -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
    else
      [ "$(http "$1" 1)" = 200 ] && return 0
    fi
    sleep 0.2
  done
  return 1
}

# --- SSH and the command log ---
t_log() {
  local before after
  before=$(wc -l <"$(lab_host_dir motoko)/commands.log")
  echo in | on motoko 'cat; echo "secret-free $PATH" >&2; exit 7'
  [ $? = 7 ] || return 1
  after=$(wc -l <"$(lab_host_dir motoko)/commands.log")
  [ $((after - before)) = 1 ] && tail -1 "$(lab_host_dir motoko)/commands.log" | grep -q '"cmd":"cat; echo'
}
check "ssh keeps stdin and the exit code, and logs one line per command" t_log
t_exec_unlogged() {
  local before
  before=$(wc -l <"$(lab_host_dir akira)/commands.log")
  "$LAB_SRC/exec.sh" akira true && [ "$(wc -l <"$(lab_host_dir akira)/commands.log")" = "$before" ]
}
check "lab/exec.sh is not a remote command" t_exec_unlogged
check "hosts see their own /podman and /flux" bash -c "[ \"\$(\"$LAB_SRC/exec.sh\" motoko findmnt -n -o SOURCE /podman)\" != \"\$(\"$LAB_SRC/exec.sh\" akira findmnt -n -o SOURCE /podman)\" ]"
check "systemctl on a host is the stand-in" bash -c "$(declare -f on); LAB_DIR='$LAB_DIR'; $(declare -p LAB_ADDR); on akira 'systemctl --version' | grep -q systemctl.py"
check "powershell only on the Windows hosts" bash -c "$(declare -f on); LAB_DIR='$LAB_DIR'; $(declare -p LAB_ADDR); on wintermute 'command -v powershell' && ! on motoko 'command -v powershell'"

# --- a unit like fabric's, driven over SSH ---
unit() {
  cat <<EOF
[Unit]
Description=lab selftest
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStartPre=-/usr/bin/podman rm -f --ignore lab-selftest
ExecStart=/usr/bin/podman run --rm --replace --name lab-selftest --network host --env-file /podman/apps/lab-selftest/.env $standin --model m --served-model-name "lab selftest" --host 0.0.0.0 --port 8399
ExecStop=/usr/bin/podman stop --ignore -t 10 lab-selftest
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF
}
t_unit() {
  unit | on motoko 'mkdir -p /podman/apps/lab-selftest && echo STANDIN_NAME=selftest >/podman/apps/lab-selftest/.env &&
    cat >/etc/systemd/system/lab-selftest.service && systemctl daemon-reload && systemctl enable lab-selftest && systemctl start lab-selftest' || return 1
  # a new session: the service outlived the one that started it
  on motoko 'systemctl is-active --quiet lab-selftest' || return 1
  wait_http http://127.0.0.1:8399/v1/models motoko || return 1
  on motoko 'systemctl restart lab-selftest && systemctl is-active lab-selftest' || return 1
  wait_http http://127.0.0.1:8399/v1/models motoko || return 1
  on motoko 'systemctl disable --now lab-selftest; systemctl is-active lab-selftest; [ $? = 3 ] &&
    for i in $(seq 1 50); do podman container exists lab-selftest || break; sleep 0.2; done && ! podman container exists lab-selftest &&
    rm -rf /etc/systemd/system/lab-selftest.service /podman/apps/lab-selftest && systemctl daemon-reload'
}
check "a podman unit: reload, enable, start, survives the session, restart, disable --now" t_unit

# --- firewalld ---
t_firewalld() {
  local rule='rule family="ipv4" source address="100.64.0.0/10" port port="4399" protocol="tcp" accept' ok=0
  on akira "podman run -d --rm --replace --name lab-selftest-fw $standin --port 4399 >/dev/null" || return 1
  wait_http http://127.0.0.1:4399/v1/models akira || return 1
  [ "$(http "http://${LAB_ADDR[akira]}:4399/v1/models")" = 000 ] || { echo "open before the rule"; ok=1; }
  on akira "firewall-cmd -q --permanent --add-rich-rule='$rule' && firewall-cmd -q --reload" || ok=1
  [ "$(http "http://${LAB_ADDR[akira]}:4399/v1/models")" = 200 ] || { echo "closed to the tailnet range"; ok=1; }
  [ "$("$LAB_SRC/exec.sh" outsider curl -s -m 2 -o /dev/null -w '%{http_code}' "http://${LAB_ADDR[akira]}:4399/v1/models")" = 000 ] ||
    { echo "open to the outsider"; ok=1; }
  [ "$("$LAB_SRC/exec.sh" outsider bash -c "exec 3<>/dev/tcp/${LAB_ADDR[akira]}/22 && head -c 4 <&3")" = SSH- ] ||
    { echo "ssh closed to the outsider"; ok=1; }
  on akira "firewall-cmd -q --permanent --remove-rich-rule='$rule'; firewall-cmd -q --reload; podman rm -f lab-selftest-fw >/dev/null"
  return $ok
}
check "firewalld: a rich rule admits 100.64.0.0/10 and not the outsider; ssh stays open" t_firewalld

# --- the Windows stand-in ---
ps_encode() { printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE | base64 -w0; }
ps_cmd() { printf 'powershell -NoProfile -NonInteractive -EncodedCommand %s' "$(ps_encode "$1")"; }
dir='C:\ProgramData\fabric'
install_cmd() { ps_cmd "# fabric:install $dir\\$1
\$content = [Console]::In.ReadToEnd()
"; }
invoke_cmd() { ps_cmd "# fabric:invoke $dir\\$1
& '$dir\\$1' $2
"; }
t_windows() {
  local w=armitage s ok=0
  on $w "$(invoke_cmd Get-FabricState.ps1 '')" 2>/dev/null && { echo "invoke before install succeeded"; ok=1; }
  for s in Set-FabricPortProxy Register-FabricPortProxyTask Remove-FabricPortProxy Start-FabricVllm Remove-FabricVllm Get-FabricState; do
    echo "# $s (lab selftest)" | on $w "$(install_cmd "$s.ps1")" || { echo "install $s"; return 1; }
  done
  on $w "$(invoke_cmd Start-FabricVllm.ps1 "-Name 'lab-selftest' -Image '$standin' -Port '8398' -ArgumentsJson '[\"--model\",\"m\",\"--served-model-name\",\"it''s\",\"--host\",\"0.0.0.0\",\"--port\",\"8398\"]' -EnvJson '{\"STANDIN_NAME\":\"armitage\"}'")" | tr -d '\r' | grep -qx 'lab-selftest started' || { echo "start"; ok=1; }
  on $w "$(invoke_cmd Start-FabricVllm.ps1 "-Name 'lab-selftest' -Image '$standin' -Port '8398' -ArgumentsJson '[\"--model\",\"m\",\"--served-model-name\",\"it''s\",\"--host\",\"0.0.0.0\",\"--port\",\"8398\"]' -EnvJson '{\"STANDIN_NAME\":\"armitage\"}'")" | tr -d '\r' | grep -qx 'lab-selftest unchanged' || { echo "second start not unchanged"; ok=1; }
  on $w "$(invoke_cmd Set-FabricPortProxy.ps1 "-Name 'lab-selftest' -ListenPort '8398' -ConnectPort '8398' -AllowedCidr '100.64.0.0/10'")" >/dev/null || { echo "portproxy"; ok=1; }
  on $w "$(invoke_cmd Register-FabricPortProxyTask.ps1 "-Name 'lab-selftest' -ListenPort '8398' -ConnectPort '8398' -AllowedCidr '100.64.0.0/10' -IntervalMinutes '5'")" >/dev/null || { echo "task"; ok=1; }
  wait_http "http://${LAB_ADDR[$w]}:8398/v1/models" || { echo "proxy does not answer"; ok=1; }
  [ "$("$LAB_SRC/exec.sh" outsider curl -s -m 2 -o /dev/null -w '%{http_code}' "http://${LAB_ADDR[$w]}:8398/v1/models")" = 000 ] ||
    { echo "open to the outsider"; ok=1; }
  local before
  before=$(on $w "$(invoke_cmd Get-FabricState.ps1 '')" | tr -d '\r' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["wslAddress"])')
  "$LAB_SRC/win-reboot.sh" $w >/dev/null || { echo "reboot"; ok=1; }
  wait_http "http://${LAB_ADDR[$w]}:8398/v1/models" || { echo "proxy not back after reboot"; ok=1; }
  on $w "$(invoke_cmd Get-FabricState.ps1 '')" | tr -d '\r' | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["wslAddress"] != sys.argv[1], "same WSL address after reboot"
assert d["wslAddress"] in d["portproxy"], d["portproxy"]
assert d["firewall"][0]["remoteAddress"] == "100.64.0.0/255.192.0.0", d["firewall"]
assert d["tasks"] == ["fabric-portproxy-lab-selftest"], d["tasks"]' "$before" || ok=1
  on $w "$(invoke_cmd Remove-FabricPortProxy.ps1 "-Name 'lab-selftest' -ListenPort '8398'")" >/dev/null || { echo "remove proxy"; ok=1; }
  on $w "$(invoke_cmd Remove-FabricVllm.ps1 "-Name 'lab-selftest'")" >/dev/null || { echo "remove vllm"; ok=1; }
  [ "$(http "http://${LAB_ADDR[$w]}:8398/v1/models" 2)" = 000 ] || { echo "still answers after removal"; ok=1; }
  on $w "$(ps_cmd 'Get-Date')" 2>/dev/null && { echo "an unsupported shape succeeded"; ok=1; }
  for s in Set-FabricPortProxy Register-FabricPortProxyTask Remove-FabricPortProxy Start-FabricVllm Remove-FabricVllm Get-FabricState; do
    on $w "$(ps_cmd "# fabric:remove $dir\\$s.ps1
Remove-Item -Force -LiteralPath '$dir\\$s.ps1'
")" || ok=1
  done
  return $ok
}
check "windows stand-in: install, vLLM, port proxy + firewall + task, reboot, removal" t_windows

t_guard() { ! ip route get 100.64.1.1 >/dev/null 2>&1 && ! ip route get 198.19.0.1 >/dev/null 2>&1 && ip route get 100.100.50.11 >/dev/null; }
check "the lab ranges cannot leave the machine" t_guard

# A fresh lab stays fresh: its command logs start empty again.
if [ "${1:-}" != --force ]; then
  for h in "${LAB_HOSTS[@]}"; do
    log="$(lab_host_dir "$h")/commands.log"
    { flock 9; : >"$log"; } 9>>"$log"
  done
fi
printf '%s passed, %s failed\n' "$pass" "$fail"
[ "$fail" = 0 ]
