# Written by fabric. Points a Windows port at the same service inside WSL2 and admits only the tailnet.
# Edits here are drift: change the stack config instead.

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
if ($text -notmatch 'inet (\d+\.\d+\.\d+\.\d+)') {
    throw "cannot find the WSL address of the podman machine: $text"
}
$wslAddress = $Matches[1]

$current = (& netsh interface portproxy show v4tov4) | Out-String
$wanted = "0\.0\.0\.0\s+$ListenPort\s+$([regex]::Escape($wslAddress))\s+$ConnectPort\b"
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
    New-NetFirewallRule -Name $ruleName -DisplayName $ruleName -Direction Inbound -Action Allow `
        -Protocol TCP -LocalPort $ListenPort -RemoteAddress $AllowedCidr | Out-Null
}
Write-Output "port $ListenPort -> $($wslAddress):$ConnectPort, admitted from $AllowedCidr"
