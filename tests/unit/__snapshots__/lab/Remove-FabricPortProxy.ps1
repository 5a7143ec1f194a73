# Written by fabric. Removes a port proxy, its task and its firewall rule.
# Edits here are drift: change the stack config instead.

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
