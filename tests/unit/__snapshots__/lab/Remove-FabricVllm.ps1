# Written by fabric. Removes a vLLM container.
# Edits here are drift: change the stack config instead.

[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[a-zA-Z0-9][a-zA-Z0-9_.-]*$')][string]$Name
)
$ErrorActionPreference = 'Stop'

& podman rm -f --ignore $Name | Out-Null
Write-Output "$Name removed"
