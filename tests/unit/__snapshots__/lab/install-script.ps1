# fabric:install C:\ProgramData\fabric\Set-FabricPortProxy.ps1
$ErrorActionPreference = 'Stop'
$path = 'C:\ProgramData\fabric\Set-FabricPortProxy.ps1'
$content = [Console]::In.ReadToEnd()
New-Item -ItemType Directory -Force -Path (Split-Path -Parent $path) | Out-Null
if (-not (Test-Path -LiteralPath $path) -or (Get-Content -Raw -LiteralPath $path) -ne $content) {
    [System.IO.File]::WriteAllText("$path.new", $content, (New-Object System.Text.UTF8Encoding $false))
    Move-Item -Force -LiteralPath "$path.new" -Destination $path
}
