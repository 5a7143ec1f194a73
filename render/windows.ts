import { powershellCommand, psQuote } from "./quote.ts";

/**
 * fabric's Windows work lives in a few scripts with named parameters, installed on the host and
 * then called. Each call is one `powershell -EncodedCommand` whose first line names what it is
 * (`# fabric:install <path>` or `# fabric:invoke <path>`), so the lab's stand-in, a reader of
 * the host's logs, and a reviewer all see the same small set of shapes.
 */

const header = (purpose: string) => `# Written by fabric. ${purpose}\n# Edits here are drift: change the stack config instead.\n`;

export const windowsScripts = {
  "Set-FabricPortProxy.ps1": `${header("Points a Windows port at the same service inside WSL2 and admits only the tailnet.")}
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[a-z0-9-]+$')][string]$Name,
    [Parameter(Mandatory = $true)][ValidateRange(1, 65535)][int]$ListenPort,
    [Parameter(Mandatory = $true)][ValidateRange(1, 65535)][int]$ConnectPort,
    [Parameter(Mandatory = $true)][ValidatePattern('^[0-9./]+$')][string]$AllowedCidr
)
$ErrorActionPreference = 'Stop'

# WSL2 gets a new address at every boot: ask the podman machine for its current one.
$text = (& podman machine ssh ip -4 addr show eth0) | Out-String
if ($text -notmatch 'inet (\\d+\\.\\d+\\.\\d+\\.\\d+)') {
    throw "cannot find the WSL address of the podman machine: $text"
}
$wslAddress = $Matches[1]

$current = (& netsh interface portproxy show v4tov4) | Out-String
$wanted = "0\\.0\\.0\\.0\\s+$ListenPort\\s+$([regex]::Escape($wslAddress))\\s+$ConnectPort\\b"
if ($current -notmatch $wanted) {
    & netsh interface portproxy delete v4tov4 listenport=$ListenPort listenaddress=0.0.0.0 | Out-Null
    & netsh interface portproxy add v4tov4 listenport=$ListenPort listenaddress=0.0.0.0 connectport=$ConnectPort connectaddress=$wslAddress | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "netsh could not add the port proxy for $ListenPort" }
}

$ruleName = "fabric-$Name"
$rule = Get-NetFirewallRule -Name $ruleName -ErrorAction SilentlyContinue
$ports = if ($null -ne $rule) { $rule | Get-NetFirewallPortFilter } else { $null }
$addresses = if ($null -ne $rule) { $rule | Get-NetFirewallAddressFilter } else { $null }
if ($null -eq $rule -or "$($ports.LocalPort)" -ne "$ListenPort" -or "$($addresses.RemoteAddress)" -ne $AllowedCidr) {
    if ($null -ne $rule) { Remove-NetFirewallRule -Name $ruleName }
    New-NetFirewallRule -Name $ruleName -DisplayName $ruleName -Direction Inbound -Action Allow \`
        -Protocol TCP -LocalPort $ListenPort -RemoteAddress $AllowedCidr | Out-Null
}
Write-Output "port $ListenPort -> $($wslAddress):$ConnectPort, admitted from $AllowedCidr"
`,

  "Register-FabricPortProxyTask.ps1": `${header("Keeps the port proxy right across reboots: at start-up and every few minutes.")}
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[a-z0-9-]+$')][string]$Name,
    [Parameter(Mandatory = $true)][ValidateRange(1, 65535)][int]$ListenPort,
    [Parameter(Mandatory = $true)][ValidateRange(1, 65535)][int]$ConnectPort,
    [Parameter(Mandatory = $true)][ValidatePattern('^[0-9./]+$')][string]$AllowedCidr,
    [Parameter(Mandatory = $true)][ValidateRange(1, 1440)][int]$IntervalMinutes
)
$ErrorActionPreference = 'Stop'

$script = Join-Path $PSScriptRoot 'Set-FabricPortProxy.ps1'
$arguments = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File \`"$script\`" -Name $Name -ListenPort $ListenPort -ConnectPort $ConnectPort -AllowedCidr $AllowedCidr"
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
$triggers = @(
    (New-ScheduledTaskTrigger -AtStartup),
    (New-ScheduledTaskTrigger -Once -At (Get-Date) -RepetitionInterval (New-TimeSpan -Minutes $IntervalMinutes))
)
# The podman machine belongs to this user, and netsh needs elevation.
$principal = New-ScheduledTaskPrincipal -UserId $env:USERNAME -LogonType S4U -RunLevel Highest
Register-ScheduledTask -TaskName "fabric-portproxy-$Name" -Action $action -Trigger $triggers -Principal $principal -Force | Out-Null
Write-Output "task fabric-portproxy-$Name every $IntervalMinutes min and at start-up"
`,

  "Remove-FabricPortProxy.ps1": `${header("Removes a port proxy, its task and its firewall rule.")}
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[a-z0-9-]+$')][string]$Name,
    [Parameter(Mandatory = $true)][ValidateRange(1, 65535)][int]$ListenPort
)
$ErrorActionPreference = 'Stop'

Unregister-ScheduledTask -TaskName "fabric-portproxy-$Name" -Confirm:$false -ErrorAction SilentlyContinue
& netsh interface portproxy delete v4tov4 listenport=$ListenPort listenaddress=0.0.0.0 2>$null | Out-Null
Remove-NetFirewallRule -Name "fabric-$Name" -ErrorAction SilentlyContinue
Write-Output "removed port proxy $Name ($ListenPort)"
`,

  "Start-FabricVllm.ps1": `${header("Runs a vLLM container in the podman machine; replaces it only when its spec changed.")}
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[a-zA-Z0-9][a-zA-Z0-9_.-]*$')][string]$Name,
    [Parameter(Mandatory = $true)][string]$Image,
    [Parameter(Mandatory = $true)][ValidateRange(1, 65535)][int]$Port,
    [Parameter(Mandatory = $true)][string]$ArgumentsJson,
    [string]$EnvJson = '{}'
)
$ErrorActionPreference = 'Stop'

$arguments = @(ConvertFrom-Json $ArgumentsJson)
$envArguments = @()
foreach ($pair in (ConvertFrom-Json $EnvJson).PSObject.Properties) {
    $envArguments += @('-e', "$($pair.Name)=$($pair.Value)")
}
$sha = [System.Security.Cryptography.SHA256]::Create()
$specBytes = [System.Text.Encoding]::UTF8.GetBytes(($Image, $Port, $ArgumentsJson, $EnvJson) -join "\`n")
$spec = -join ($sha.ComputeHash($specBytes) | ForEach-Object { $_.ToString('x2') })

$running = (& podman inspect --format '{{index .Config.Labels "fabric.spec"}} {{.State.Running}}' $Name 2>$null) | Out-String
if ($LASTEXITCODE -eq 0 -and $running.Trim() -eq "$spec true") {
    Write-Output "$Name unchanged"
    exit 0
}
& podman run -d --replace --name $Name --restart always --label "fabric.spec=$spec" \`
    --device nvidia.com/gpu=all -p "$($Port):$($Port)" @envArguments $Image @arguments | Out-Null
if ($LASTEXITCODE -ne 0) { throw "podman run failed for $Name" }
Write-Output "$Name started"
`,

  "Remove-FabricVllm.ps1": `${header("Removes a vLLM container.")}
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[a-zA-Z0-9][a-zA-Z0-9_.-]*$')][string]$Name
)
$ErrorActionPreference = 'Stop'

& podman rm -f --ignore $Name | Out-Null
Write-Output "$Name removed"
`,

  "Get-FabricState.ps1": `${header("Reports what fabric manages on this host, as JSON, for drift checks.")}
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'

$state = [ordered]@{
    portproxy = ((& netsh interface portproxy show v4tov4) | Out-String)
    firewall  = @(Get-NetFirewallRule -Name 'fabric-*' -ErrorAction SilentlyContinue | ForEach-Object {
            [ordered]@{
                name          = $_.Name
                enabled       = "$($_.Enabled)"
                localPort     = "$(($_ | Get-NetFirewallPortFilter).LocalPort)"
                remoteAddress = "$(($_ | Get-NetFirewallAddressFilter).RemoteAddress)"
            }
        })
    tasks     = @(Get-ScheduledTask -TaskName 'fabric-*' -ErrorAction SilentlyContinue | ForEach-Object { $_.TaskName })
    containers = ((& podman ps -a --format json) | Out-String)
}
$state | ConvertTo-Json -Depth 5
`,
} as const;

export type WindowsScriptName = keyof typeof windowsScripts;

export const windowsScriptPath = (scriptsDir: string, name: WindowsScriptName) => `${scriptsDir}\\${name}`;

/** The command that installs one script; its content travels on stdin. */
export function installWindowsScriptCommand(path: string): string {
  return powershellCommand(
    [
      `# fabric:install ${path}`,
      "$ErrorActionPreference = 'Stop'",
      `$path = ${psQuote(path)}`,
      "$content = [Console]::In.ReadToEnd()",
      "New-Item -ItemType Directory -Force -Path (Split-Path -Parent $path) | Out-Null",
      "if (-not (Test-Path -LiteralPath $path) -or (Get-Content -Raw -LiteralPath $path) -ne $content) {",
      '    [System.IO.File]::WriteAllText("$path.new", $content, (New-Object System.Text.UTF8Encoding $false))',
      '    Move-Item -Force -LiteralPath "$path.new" -Destination $path',
      "}",
      "",
    ].join("\n"),
  );
}

export function removeWindowsScriptCommand(path: string): string {
  return powershellCommand(
    [`# fabric:remove ${path}`, `Remove-Item -Force -ErrorAction SilentlyContinue -LiteralPath ${psQuote(path)}`, ""].join("\n"),
  );
}

/** The command that calls an installed script with named parameters, every value quoted. */
export function invokeWindowsScriptCommand(path: string, params: Readonly<Record<string, string | number>>): string {
  const named = Object.entries(params)
    .map(([k, v]) => {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(k)) throw new Error(`'${k}' is not a PowerShell parameter name`);
      return `-${k} ${psQuote(String(v))}`;
    })
    .join(" ");
  return powershellCommand(`# fabric:invoke ${path}\n& ${psQuote(path)} ${named}\n`);
}
