# Written by fabric. Reports what fabric manages on this host, as JSON, for drift checks.
# Edits here are drift: change the stack config instead.

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
