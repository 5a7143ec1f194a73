# Written by fabric. Keeps the port proxy right across reboots: at start-up and every few minutes.
# Edits here are drift: change the stack config instead.

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
$arguments = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$script`" -Name $Name -ListenPort $ListenPort -ConnectPort $ConnectPort -AllowedCidr $AllowedCidr"
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
$triggers = @(
    (New-ScheduledTaskTrigger -AtStartup),
    (New-ScheduledTaskTrigger -Once -At (Get-Date) -RepetitionInterval (New-TimeSpan -Minutes $IntervalMinutes))
)
# The podman machine belongs to this user, and netsh needs elevation.
$principal = New-ScheduledTaskPrincipal -UserId $env:USERNAME -LogonType S4U -RunLevel Highest
Register-ScheduledTask -TaskName "fabric-portproxy-$Name" -Action $action -Trigger $triggers -Principal $principal -Force | Out-Null
Write-Output "task fabric-portproxy-$Name every $IntervalMinutes min and at start-up"
