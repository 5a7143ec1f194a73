# fabric:remove C:\ProgramData\fabric\Set-FabricPortProxy.ps1
Remove-Item -Force -ErrorAction SilentlyContinue -LiteralPath 'C:\ProgramData\fabric\Set-FabricPortProxy.ps1'
