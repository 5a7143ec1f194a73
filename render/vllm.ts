import type { BackendConfig } from "../config/backends.ts";
import type { HostConfig } from "../config/hosts.ts";
import { renderContainerUnit } from "./systemd.ts";

export function vllmContainerName(backendId: string, backend: BackendConfig): string {
  return backend.containerName ?? `vllm-${backendId}`;
}

/** vLLM's own arguments (after the image): model, name, address, limits, then the operator's extras. */
export function vllmServerArgs(backend: BackendConfig): string[] {
  return [
    "--model",
    backend.model,
    "--served-model-name",
    backend.servedName,
    "--host",
    backend.bind,
    "--port",
    String(backend.port),
    ...(backend.task === "embed" ? ["--task", "embed"] : []),
    ...(backend.maxModelLen === undefined ? [] : ["--max-model-len", String(backend.maxModelLen)]),
    ...(backend.quantization === undefined ? [] : ["--quantization", backend.quantization]),
    ...(backend.gpuMemoryUtilization === undefined ? [] : ["--gpu-memory-utilization", String(backend.gpuMemoryUtilization)]),
    ...backend.extraArgs,
  ];
}

/**
 * podman options that hand the GPU to the container: NVIDIA through CDI (nvidia-container-toolkit
 * generates `nvidia.com/gpu`), ROCm through the kernel's /dev/kfd and /dev/dri nodes.
 */
export function gpuPodmanArgs(gpu: HostConfig["gpu"]): string[] {
  switch (gpu) {
    case "nvidia":
      return ["--device", "nvidia.com/gpu=all"];
    case "rocm":
      return [
        "--device",
        "/dev/kfd",
        "--device",
        "/dev/dri",
        "--group-add",
        "keep-groups",
        "--ipc",
        "host",
        "--security-opt",
        "seccomp=unconfined",
      ];
    case "none":
      return [];
  }
}

/** The model cache on the host, so a restart does not download the weights again. */
export function vllmCacheDir(appsDir: string, backendId: string, backend: BackendConfig): string {
  return `${appsDir}/vllm/${vllmContainerName(backendId, backend)}/huggingface`;
}

export function vllmPodmanArgs(host: HostConfig, backendId: string, backend: BackendConfig): string[] {
  const env = Object.entries(backend.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const cache = host.appsDir === undefined ? [] : ["-v", `${vllmCacheDir(host.appsDir, backendId, backend)}:/root/.cache/huggingface`];
  return [...gpuPodmanArgs(host.gpu), ...cache, ...env];
}

/** The systemd unit that runs a backend on a Linux host. */
export function renderVllmUnit(host: HostConfig, backendId: string, backend: BackendConfig): string {
  return renderContainerUnit({
    description: `fabric: vLLM ${backend.servedName} (${backendId})`,
    containerName: vllmContainerName(backendId, backend),
    image: backend.image,
    podmanArgs: vllmPodmanArgs(host, backendId, backend),
    args: vllmServerArgs(backend),
  });
}
