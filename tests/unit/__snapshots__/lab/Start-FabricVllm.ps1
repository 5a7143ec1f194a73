# Written by fabric. Runs a vLLM container in the podman machine; replaces it only when its spec changed.
# Edits here are drift: change the stack config instead.

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
$specBytes = [System.Text.Encoding]::UTF8.GetBytes(($Image, $Port, $ArgumentsJson, $EnvJson) -join "`n")
$spec = -join ($sha.ComputeHash($specBytes) | ForEach-Object { $_.ToString('x2') })

$running = (& podman inspect --format '{{index .Config.Labels "fabric.spec"}} {{.State.Running}}' $Name 2>$null) | Out-String
if ($LASTEXITCODE -eq 0 -and $running.Trim() -eq "$spec true") {
    Write-Output "$Name unchanged"
    exit 0
}
& podman run -d --replace --name $Name --restart always --label "fabric.spec=$spec" `
    --device nvidia.com/gpu=all -p "$($Port):$($Port)" @envArguments $Image @arguments | Out-Null
if ($LASTEXITCODE -ne 0) { throw "podman run failed for $Name" }
Write-Output "$Name started"
