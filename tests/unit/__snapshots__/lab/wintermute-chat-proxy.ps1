# fabric:invoke C:\ProgramData\fabric\Set-FabricPortProxy.ps1
& 'C:\ProgramData\fabric\Set-FabricPortProxy.ps1' -Name 'wintermute-chat' -ListenPort '8000' -ConnectPort '8000' -AllowedCidr '100.64.0.0/10'
