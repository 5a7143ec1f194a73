# fabric:invoke C:\ProgramData\fabric\Start-FabricVllm.ps1
& 'C:\ProgramData\fabric\Start-FabricVllm.ps1' -Name 'vllm-wintermute' -Image 'localhost/vllm-standin:lab-1' -Port '8000' -ArgumentsJson '["--model","casperhansen/llama-3-8b-instruct-awq","--served-model-name","llama-3-8b-awq","--host","0.0.0.0","--port","8000","--quantization","awq"]' -EnvJson '{}'
