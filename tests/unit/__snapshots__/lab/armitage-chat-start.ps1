# fabric:invoke C:\ProgramData\fabric\Start-FabricVllm.ps1
& 'C:\ProgramData\fabric\Start-FabricVllm.ps1' -Name 'vllm-armitage' -Image 'localhost/vllm-standin:lab-1' -Port '8000' -ArgumentsJson '["--model","Qwen/Qwen2.5-7B-Instruct-AWQ","--served-model-name","qwen2.5-7b-awq","--host","0.0.0.0","--port","8000","--quantization","awq"]' -EnvJson '{}'
