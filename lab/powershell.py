#!/usr/bin/python3
"""PowerShell stand-in for the lab's simulated Windows hosts (wintermute, armitage).

There is no PowerShell here. fabric sends a Windows host only a few shapes of command, all
`powershell -NoProfile -NonInteractive -EncodedCommand <base64 of UTF-16LE text>`, whose first
line names what they are (see render/windows.ts):

  # fabric:install <windows path>   the file's content arrives on stdin; it is written there
  # fabric:remove <windows path>    the file is removed
  # fabric:invoke <windows path>    the next line is `& '<path>' -Param 'value' ...`: the
                                    installed script of that name is "run" (emulated here)

The emulated scripts keep the Windows state in JSON files under the host's state directory
(<lab>/hosts/<host>/windows), and make it real enough for traffic to flow:
  portproxy.json   netsh portproxy entries; each is a socat process listening on the host's lab
                   address and forwarding to the WSL address
  firewall.json    Windows firewall rules; enforced with an nftables table in the host's
                   namespace whose input policy drops what no rule admits (like Windows)
  tasks.json       scheduled tasks (their action: Set-FabricPortProxy with its parameters)
  containers.json  vLLM containers "in WSL": real podman containers in the host's namespace,
                   bound to the WSL address
  wsl-ip           the WSL VM's address: a loopback alias that lab/win-reboot.sh renumbers
  C/...            the Windows file system (C:\\ProgramData\\fabric\\X.ps1 → C/ProgramData/fabric/X.ps1)

Anything else exits 1 naming the unsupported shape. The lab's own entry points (not reachable
over SSH): --lab-init (base firewall) and --lab-reboot [--no-tasks] (lab/win-reboot.sh).
"""

import base64
import fcntl
import hashlib
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import time

SCRIPTS = {
    "Set-FabricPortProxy.ps1",
    "Register-FabricPortProxyTask.ps1",
    "Remove-FabricPortProxy.ps1",
    "Start-FabricVllm.ps1",
    "Remove-FabricVllm.ps1",
    "Get-FabricState.ps1",
}
NFT_TABLE = "fabric_windows_firewall"


class PsError(Exception):
    """An error PowerShell would print (on stderr, exit 1)."""


# --- state ---------------------------------------------------------------------------------


class State:
    def __init__(self, root, host, address):
        self.root = root
        self.host = host
        self.address = address

    def path(self, name):
        return os.path.join(self.root, name)

    def load(self, name):
        try:
            with open(self.path(name + ".json")) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def save(self, name, value):
        tmp = self.path(name + ".json.tmp")
        with open(tmp, "w") as f:
            json.dump(value, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.path(name + ".json"))

    def wsl_ip(self):
        with open(self.path("wsl-ip")) as f:
            return f.read().strip()

    def log(self, message):
        with open(self.path("events.log"), "a") as f:
            f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}\n")

    def windows_path(self, win):
        """C:\\ProgramData\\fabric\\x.ps1 → <state>/C/ProgramData/fabric/x.ps1"""
        m = re.fullmatch(r"([A-Za-z]):\\(.*)", win)
        if not m:
            raise PsError(f"Cannot find path '{win}': the lab maps only absolute drive paths.")
        parts = [p for p in m.group(2).split("\\") if p]
        if any(p in (".", "..") for p in parts):
            raise PsError(f"Cannot find path '{win}': relative components are not allowed here.")
        return os.path.join(self.root, m.group(1).upper(), *parts)


# --- command line --------------------------------------------------------------------------


def decode_command(argv):
    """powershell's own options → the decoded script text."""
    encoded = None
    i = 0
    while i < len(argv):
        a = argv[i]
        low = a.lower()
        if low in ("-noprofile", "-noninteractive", "-nologo"):
            i += 1
        elif low == "-executionpolicy" and i + 1 < len(argv):
            i += 2
        elif low in ("-encodedcommand", "-enc", "-e", "-ec") and i + 1 < len(argv):
            encoded = argv[i + 1]
            i += 2
        else:
            raise PsError(f"the lab's PowerShell stand-in does not support the argument '{a}' "
                          "(only -NoProfile -NonInteractive -EncodedCommand <base64>)")
    if encoded is None:
        raise PsError("the lab's PowerShell stand-in needs -EncodedCommand <base64 of UTF-16LE>")
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-16-le")
    except Exception as e:  # noqa: BLE001 - any decoding failure is the caller's error
        raise PsError(f"Cannot decode -EncodedCommand: {e}") from e


def parse_ps_string(text, i):
    """A single-quoted PowerShell string at text[i] ('' is a quote) → (value, next index)."""
    quotes = "'\u2018\u2019\u201a\u201b"
    assert text[i] in quotes
    i += 1
    out = []
    while i < len(text):
        c = text[i]
        if c in quotes:
            if i + 1 < len(text) and text[i + 1] in quotes:
                out.append(c)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise PsError("The string is missing the terminator: '.")


def parse_invocation(line):
    """`& '<path>' -Name 'v' -Switch ...` → (path, {name: value or True})."""
    line = line.strip()
    if not line.startswith("&"):
        raise PsError(f"unsupported shape: expected `& '<script>' -Param 'value' ...`, got: {line[:80]}")
    i = 1
    while i < len(line) and line[i] == " ":
        i += 1
    if i >= len(line) or line[i] not in "'\u2018\u2019\u201a\u201b":
        raise PsError("unsupported shape: the script path must be a single-quoted string")
    path, i = parse_ps_string(line, i)
    params = {}
    while True:
        while i < len(line) and line[i] in " \t":
            i += 1
        if i >= len(line):
            break
        m = re.compile(r"-([A-Za-z][A-Za-z0-9]*)(:?)").match(line, i)
        if not m:
            raise PsError(f"unsupported shape: expected -Param at: {line[i:i + 40]}")
        name = m.group(1)
        i = m.end()
        if m.group(2) == ":":  # -Switch:$true style is not one fabric writes
            raise PsError(f"unsupported shape: -{name}: form")
        j = i
        while j < len(line) and line[j] in " \t":
            j += 1
        if j < len(line) and line[j] in "'\u2018\u2019\u201a\u201b":
            value, i = parse_ps_string(line, j)
            params[name] = value
        elif j < len(line) and line[j] != "-":
            m2 = re.compile(r"[^\s]+").match(line, j)
            params[name] = m2.group(0)
            i = m2.end()
        else:
            params[name] = True  # a bare switch
    return path, params


# --- parameter validation like the scripts' [ValidatePattern] and [ValidateRange] ----------


def want(params, script, spec):
    """spec: {name: (kind, mandatory)} → typed values; unknown names are errors."""
    lowered = {k.lower(): k for k in spec}
    values = {}
    for k, v in params.items():
        if k.lower() not in lowered:
            raise PsError(f"{script} : A parameter cannot be found that matches parameter name '{k}'.")
        values[lowered[k.lower()]] = v
    out = {}
    for name, (kind, mandatory) in spec.items():
        if name not in values:
            if mandatory:
                raise PsError(f"{script} : Cannot process command because of one or more missing mandatory "
                              f"parameters: {name}.")
            continue
        v = values[name]
        if v is True:
            raise PsError(f"{script} : Missing an argument for parameter '{name}'.")
        bad = f"{script} : Cannot validate argument on parameter '{name}'."
        if kind == "id":
            if not re.fullmatch(r"[a-z0-9-]+", v):
                raise PsError(f"{bad} The argument \"{v}\" does not match the \"^[a-z0-9-]+$\" pattern.")
        elif kind == "container":
            if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", v):
                raise PsError(f"{bad} The argument \"{v}\" does not match the container name pattern.")
        elif kind == "port":
            if not re.fullmatch(r"[0-9]+", v) or not 1 <= int(v) <= 65535:
                raise PsError(f"{bad} The {v} argument is not in the range 1-65535.")
            v = int(v)
        elif kind == "minutes":
            if not re.fullmatch(r"[0-9]+", v) or not 1 <= int(v) <= 1440:
                raise PsError(f"{bad} The {v} argument is not in the range 1-1440.")
            v = int(v)
        elif kind == "cidr":
            if not re.fullmatch(r"[0-9./]+", v):
                raise PsError(f"{bad} The argument \"{v}\" does not match the \"^[0-9./]+$\" pattern.")
            try:
                ipaddress.ip_network(v, strict=False)
            except ValueError as e:
                raise PsError(f"New-NetFirewallRule : The address is invalid: {v} ({e})") from e
        out[name] = v
    return out


# --- Windows firewall (nftables in the host's namespace) ------------------------------------


def windows_address(cidr):
    """How Get-NetFirewallAddressFilter reports a subnet: 100.64.0.0/255.192.0.0."""
    net = ipaddress.ip_network(cidr, strict=False)
    if net.prefixlen == 32:
        return str(net.network_address)
    return f"{net.network_address}/{net.netmask}"


def apply_firewall(state):
    rules = state.load("firewall")
    lines = [
        f"table inet {NFT_TABLE} {{",
        "  chain input {",
        "    type filter hook input priority 0; policy drop;",
        "    iif lo accept",
        "    ct state established,related accept",
        "    meta l4proto icmp accept",
        "    tcp dport 22 accept comment \"OpenSSH Server (sshd)\"",
    ]
    for name in sorted(rules):
        r = rules[name]
        if not r.get("enabled", True):
            continue
        net = ipaddress.ip_network(r["remoteAddress"], strict=False)
        lines.append(f"    ip saddr {net} tcp dport {int(r['localPort'])} accept comment \"{name}\"")
    lines += ["  }", "}"]
    script = f"table inet {NFT_TABLE}\ndelete table inet {NFT_TABLE}\n" + "\n".join(lines) + "\n"
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True)


# --- port proxies (socat) -------------------------------------------------------------------


def proc_alive(pid, needle):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return False
    return needle in cmd


def stop_proxy(entry):
    pid = entry.get("socatPid")
    if pid and proc_alive(pid, f"TCP-LISTEN:{entry['listenPort']},"):
        try:
            os.killpg(pid, signal.SIGTERM)  # the listener and the connections it forked
        except ProcessLookupError:
            pass
        deadline = time.time() + 3
        while time.time() < deadline and proc_alive(pid, "socat"):
            time.sleep(0.05)
    entry["socatPid"] = None


def start_proxy(state, entry):
    listen = f"TCP-LISTEN:{entry['listenPort']},bind={state.address},fork,reuseaddr"
    target = f"TCP:{entry['connectAddress']}:{entry['connectPort']}"
    log = open(state.path("socat.log"), "a")
    p = subprocess.Popen(["socat", listen, target], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True, close_fds=True)
    # socat binds at once; a second look tells a failure to bind from a listener
    deadline = time.time() + 2
    while time.time() < deadline:
        if p.poll() is not None:
            raise PsError(f"netsh could not add the port proxy for {entry['listenPort']} "
                          f"(socat exited {p.returncode}; see {state.path('socat.log')})")
        if listening(state.address, entry["listenPort"]):
            break
        time.sleep(0.02)
    entry["socatPid"] = p.pid


def listening(address, port):
    want_hex = "%08X:%04X" % (int.from_bytes(ipaddress.ip_address(address).packed, "little"), port)
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            return any(line.split()[1] == want_hex and line.split()[3] == "0A" for line in f)
    except OSError:
        return False


def netsh_show(portproxy):
    """What `netsh interface portproxy show v4tov4` prints."""
    out = ["", "Listen on ipv4:             Connect to ipv4:", "",
           "Address         Port        Address         Port",
           "--------------- ----------  --------------- ----------"]
    for key in sorted(portproxy, key=int):
        e = portproxy[key]
        out.append(f"{e['listenAddress']:<15} {str(e['listenPort']):<10}  {e['connectAddress']:<15} {e['connectPort']}")
    out.append("")
    return "\r\n".join(out) + "\r\n"


# --- the emulated scripts ---------------------------------------------------------------------


def set_port_proxy(state, p, out):
    wsl = state.wsl_ip()
    portproxy = state.load("portproxy")
    key = str(p["ListenPort"])
    entry = portproxy.get(key)
    current = (entry is not None and entry["connectAddress"] == wsl and entry["connectPort"] == p["ConnectPort"]
               and entry.get("socatPid") and proc_alive(entry["socatPid"], f"TCP-LISTEN:{key},"))
    if not current:
        if entry is not None:
            stop_proxy(entry)
        entry = {"listenAddress": "0.0.0.0", "listenPort": p["ListenPort"], "connectAddress": wsl,
                 "connectPort": p["ConnectPort"], "socatPid": None}
        start_proxy(state, entry)
        portproxy[key] = entry
        state.save("portproxy", portproxy)
        state.log(f"portproxy {key} -> {wsl}:{p['ConnectPort']}")
    rules = state.load("firewall")
    name = f"fabric-{p['Name']}"
    rule = rules.get(name)
    if rule is None or str(rule["localPort"]) != str(p["ListenPort"]) or rule["remoteAddress"] != p["AllowedCidr"]:
        rules[name] = {"name": name, "displayName": name, "direction": "Inbound", "action": "Allow",
                       "protocol": "TCP", "localPort": str(p["ListenPort"]), "remoteAddress": p["AllowedCidr"],
                       "enabled": True}
        state.save("firewall", rules)
        apply_firewall(state)
        state.log(f"firewall {name} tcp/{p['ListenPort']} from {p['AllowedCidr']}")
    out.append(f"port {p['ListenPort']} -> {wsl}:{p['ConnectPort']}, admitted from {p['AllowedCidr']}")


def register_task(state, p, out, script_dir):
    tasks = state.load("tasks")
    name = f"fabric-portproxy-{p['Name']}"
    tasks[name] = {
        "taskName": name,
        "action": {
            "execute": "powershell.exe",
            "script": script_dir + "\\Set-FabricPortProxy.ps1",
            "parameters": {"Name": p["Name"], "ListenPort": p["ListenPort"], "ConnectPort": p["ConnectPort"],
                           "AllowedCidr": p["AllowedCidr"]},
        },
        "triggers": ["AtStartup", f"Every {p['IntervalMinutes']} minutes"],
        "intervalMinutes": p["IntervalMinutes"],
        "principal": {"logonType": "S4U", "runLevel": "Highest"},
    }
    state.save("tasks", tasks)
    state.log(f"task {name}")
    out.append(f"task {name} every {p['IntervalMinutes']} min and at start-up")


def remove_port_proxy(state, p, out):
    tasks = state.load("tasks")
    if tasks.pop(f"fabric-portproxy-{p['Name']}", None) is not None:
        state.save("tasks", tasks)
    portproxy = state.load("portproxy")
    entry = portproxy.pop(str(p["ListenPort"]), None)
    if entry is not None:
        stop_proxy(entry)
        state.save("portproxy", portproxy)
    rules = state.load("firewall")
    if rules.pop(f"fabric-{p['Name']}", None) is not None:
        state.save("firewall", rules)
        apply_firewall(state)
    state.log(f"removed port proxy {p['Name']} ({p['ListenPort']})")
    out.append(f"removed port proxy {p['Name']} ({p['ListenPort']})")


def podman(*args, check=True, capture=True):
    r = subprocess.run(["podman", *args], stdin=subprocess.DEVNULL, capture_output=capture, text=True)
    if check and r.returncode != 0:
        raise PsError(f"podman {args[0]} failed: {(r.stderr or '').strip()}")
    return r


def container_args(arguments, wsl, port):
    """vLLM's arguments with the address set to the WSL VM's (the port proxy's target)."""
    out = []
    i = 0
    seen_host = False
    while i < len(arguments):
        a = arguments[i]
        if a == "--host" and i + 1 < len(arguments):
            out += ["--host", wsl]
            seen_host = True
            i += 2
            continue
        if a.startswith("--host="):
            out.append(f"--host={wsl}")
            seen_host = True
        else:
            out.append(a)
        i += 1
    if not seen_host:
        out += ["--host", wsl]
    if "--port" not in out and not any(a.startswith("--port=") for a in out):
        out += ["--port", str(port)]
    return out


def run_container(state, c, wsl):
    args = ["run", "-d", "--replace", "--name", c["name"], "--restart", "always",
            "--label", f"fabric.spec={c['spec']}", "--label", f"fabric.lab.wsl-ip={wsl}"]
    for k, v in c["env"].items():
        args += ["-e", f"{k}={v}"]
    args.append(c["image"])
    args += container_args(c["arguments"], wsl, c["port"])
    r = podman(*args, check=False)
    if r.returncode != 0:
        raise PsError(f"podman run failed for {c['name']}: {r.stderr.strip()}")
    return r.stdout.strip()


def start_vllm(state, p, out):
    try:
        arguments = json.loads(p["ArgumentsJson"])
        assert isinstance(arguments, list) and all(isinstance(a, str) for a in arguments)
    except (ValueError, AssertionError) as e:
        raise PsError(f"ConvertFrom-Json : Invalid JSON primitive in ArgumentsJson (want an array of strings): {e}") from e
    env_json = p.get("EnvJson", "{}")
    try:
        env = json.loads(env_json)
        assert isinstance(env, dict)
    except (ValueError, AssertionError) as e:
        raise PsError(f"ConvertFrom-Json : Invalid JSON in EnvJson (want an object): {e}") from e
    spec = hashlib.sha256("\n".join([p["Image"], str(p["Port"]), p["ArgumentsJson"], env_json]).encode()).hexdigest()
    name = p["Name"]
    r = podman("inspect", "--format", '{{index .Config.Labels "fabric.spec"}} {{.State.Running}}', name, check=False)
    containers = state.load("containers")
    if r.returncode == 0 and r.stdout.strip() == f"{spec} true":
        out.append(f"{name} unchanged")
        return
    c = {"name": name, "image": p["Image"], "port": p["Port"], "arguments": arguments,
         "env": {str(k): str(v) for k, v in env.items()}, "spec": spec}
    c["id"] = run_container(state, c, state.wsl_ip())
    containers[name] = c
    state.save("containers", containers)
    state.log(f"container {name} started ({spec[:12]})")
    out.append(f"{name} started")


def remove_vllm(state, p, out):
    podman("rm", "-f", "--ignore", p["Name"])
    containers = state.load("containers")
    if containers.pop(p["Name"], None) is not None:
        state.save("containers", containers)
    state.log(f"container {p['Name']} removed")
    out.append(f"{p['Name']} removed")


def get_state(state, out):
    rules = state.load("firewall")
    ps = podman("ps", "-a", "--format", "json", check=False)
    doc = {
        "portproxy": netsh_show(state.load("portproxy")),
        "firewall": [{"name": r["name"], "enabled": "True" if r.get("enabled", True) else "False",
                      "localPort": str(r["localPort"]), "remoteAddress": windows_address(r["remoteAddress"])}
                     for _, r in sorted(rules.items())],
        "tasks": sorted(state.load("tasks")),
        "containers": ps.stdout if ps.returncode == 0 else "",
        # not in the real script's output: the lab's view, for tests
        "wslAddress": state.wsl_ip(),
    }
    out.append(json.dumps(doc, indent=2))


# --- dispatch -----------------------------------------------------------------------------------


def invoke(state, text):
    lines = text.split("\n")
    marker = lines[0].rstrip("\r")
    m = re.fullmatch(r"# fabric:invoke (.+)", marker)
    win_path = m.group(1).strip()
    body = [ln for ln in lines[1:] if ln.strip()]
    if len(body) != 1:
        raise PsError("unsupported shape: `# fabric:invoke` must be followed by exactly one `& '<script>' ...` line")
    path, params = parse_invocation(body[0])
    if path != win_path:
        raise PsError(f"unsupported shape: the marker names {win_path} but the call runs {path}")
    script = path.rsplit("\\", 1)[-1]
    local = state.windows_path(path)
    if not os.path.isfile(local):
        raise PsError(
            f"& : The term '{path}' is not recognized as the name of a cmdlet, function, script file, or operable "
            "program. Check the spelling of the name, or if a path was included, verify that the path is correct "
            "and try again.")
    if script not in SCRIPTS:
        raise PsError(f"the lab's PowerShell stand-in cannot emulate {script} (it knows: {', '.join(sorted(SCRIPTS))})")
    script_dir = path.rsplit("\\", 1)[0]
    out = []
    if script == "Set-FabricPortProxy.ps1":
        p = want(params, script, {"Name": ("id", True), "ListenPort": ("port", True), "ConnectPort": ("port", True),
                                  "AllowedCidr": ("cidr", True)})
        set_port_proxy(state, p, out)
    elif script == "Register-FabricPortProxyTask.ps1":
        p = want(params, script, {"Name": ("id", True), "ListenPort": ("port", True), "ConnectPort": ("port", True),
                                  "AllowedCidr": ("cidr", True), "IntervalMinutes": ("minutes", True)})
        register_task(state, p, out, script_dir)
    elif script == "Remove-FabricPortProxy.ps1":
        p = want(params, script, {"Name": ("id", True), "ListenPort": ("port", True)})
        remove_port_proxy(state, p, out)
    elif script == "Start-FabricVllm.ps1":
        p = want(params, script, {"Name": ("container", True), "Image": ("text", True), "Port": ("port", True),
                                  "ArgumentsJson": ("text", True), "EnvJson": ("text", False)})
        start_vllm(state, p, out)
    elif script == "Remove-FabricVllm.ps1":
        p = want(params, script, {"Name": ("container", True)})
        remove_vllm(state, p, out)
    elif script == "Get-FabricState.ps1":
        want(params, script, {})
        get_state(state, out)
    return out


def install(state, win_path):
    data = sys.stdin.buffer.read()
    local = state.windows_path(win_path)
    os.makedirs(os.path.dirname(local), exist_ok=True)
    try:
        with open(local, "rb") as f:
            if f.read() == data:
                return
    except FileNotFoundError:
        pass
    with open(local + ".new", "wb") as f:
        f.write(data)
    os.replace(local + ".new", local)
    state.log(f"installed {win_path}")


def run_script(state, text):
    first = text.split("\n", 1)[0].rstrip("\r")
    m = re.fullmatch(r"# fabric:(install|remove|invoke) (.+)", first)
    if not m:
        raise PsError(f"the lab's PowerShell stand-in supports only fabric's shapes (first line `# fabric:install "
                      f"<path>`, `# fabric:remove <path>` or `# fabric:invoke <path>`); got: {first[:100]!r}")
    kind, win_path = m.group(1), m.group(2).strip()
    if kind == "install":
        install(state, win_path)
        return []
    if kind == "remove":
        local = state.windows_path(win_path)
        if os.path.exists(local):
            os.remove(local)
            state.log(f"removed {win_path}")
        return []
    return invoke(state, text)


# --- lab entry points ---------------------------------------------------------------------------


def lab_reboot(state, run_tasks):
    """A reboot: new WSL address, proxies die (netsh keeps its entries, pointing at the old
    address), containers come back on the new address (restart policy), then each scheduled
    task's at-start-up trigger runs its action once."""
    old = state.wsl_ip()
    prefix, last = old.rsplit(".", 1)
    base = int(last) - int(last) % 10
    new = f"{prefix}.{base + (int(last) - base + 1) % 10}"
    portproxy = state.load("portproxy")
    for entry in portproxy.values():
        stop_proxy(entry)
    subprocess.run(["ip", "addr", "del", f"{old}/32", "dev", "lo"], check=False, capture_output=True)
    subprocess.run(["ip", "addr", "replace", f"{new}/32", "dev", "lo"], check=True)
    with open(state.path("wsl-ip.tmp"), "w") as f:
        f.write(new + "\n")
    os.replace(state.path("wsl-ip.tmp"), state.path("wsl-ip"))
    state.log(f"reboot: WSL address {old} -> {new}")
    # iphlpsvc restores the persistent port proxies, still aimed at the old address
    for entry in portproxy.values():
        start_proxy(state, entry)
    state.save("portproxy", portproxy)
    containers = state.load("containers")
    for c in containers.values():
        c["id"] = run_container(state, c, new)
    state.save("containers", containers)
    out = []
    if run_tasks:
        for name, task in sorted(state.load("tasks").items()):
            params = dict(task["action"]["parameters"])
            p = want({k: str(v) for k, v in params.items()}, "Set-FabricPortProxy.ps1",
                     {"Name": ("id", True), "ListenPort": ("port", True), "ConnectPort": ("port", True),
                      "AllowedCidr": ("cidr", True)})
            set_port_proxy(state, p, out)
            state.log(f"reboot: ran task {name}")
    out.append(f"rebooted: WSL address {new}")
    return out


def main(argv):
    opts = {}
    while argv and argv[0] in ("--host", "--address", "--state"):
        opts[argv[0][2:]] = argv[1]
        argv = argv[2:]
    state = State(opts["state"], opts["host"], opts["address"])
    os.makedirs(state.root, exist_ok=True)
    lock = open(state.path(".lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one Windows command at a time on this host
    try:
        if argv[:1] == ["--lab-init"]:
            apply_firewall(state)
            return 0
        if argv[:1] == ["--lab-reboot"]:
            for line in lab_reboot(state, "--no-tasks" not in argv):
                print(line)
            return 0
        text = decode_command(argv)
        out = run_script(state, text)
        for line in out:  # Windows consoles end lines with CRLF, JSON included
            sys.stdout.write(line.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n")
        return 0
    except PsError as e:
        sys.stderr.write(f"{e}\r\n")
        return 1
    except subprocess.CalledProcessError as e:
        sys.stderr.write(f"{e}\r\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
