import * as pulumi from "@pulumi/pulumi";
import type { BackendConfig } from "../config/backends.ts";
import { contentHash } from "../render/hash.ts";
import { ensureUnitScript, removeUnitScript } from "../render/steps.ts";
import { renderVllmUnit, vllmCacheDir, vllmContainerName, vllmServerArgs } from "../render/vllm.ts";
import { invokeWindowsScriptCommand, windowsScriptPath } from "../render/windows.ts";
import type { Host } from "./host.ts";
import { tokens } from "./tokens.ts";

export interface VllmServerArgs {
  /** The host it runs on. */
  readonly host: Host;
  /** Its id in `fabric:backends`. */
  readonly backendId: string;
  /** Its config entry. */
  readonly backend: BackendConfig;
}

/**
 * One vLLM server. On Linux a podman container under a systemd unit; on a Windows host a
 * container in the Podman Desktop machine, started by fabric's Start-FabricVllm script.
 */
export class VllmServer extends pulumi.ComponentResource {
  public readonly containerName: string;
  /** The unit file (Linux) or the container spec (Windows) this server runs, for drift checks. */
  public readonly specHash: string;

  constructor(name: string, args: VllmServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.vllmServer, name, {}, opts);
    const { host, backendId, backend } = args;
    this.containerName = vllmContainerName(backendId, backend);

    if (host.config.os === "linux") {
      const appsDir = host.config.appsDir ?? "/";
      const unit = renderVllmUnit(host.config, backendId, backend);
      this.specHash = contentHash(unit);
      host.step(
        `${name}-unit`,
        {
          create: ensureUnitScript({
            unit: this.containerName,
            dirs: [vllmCacheDir(appsDir, backendId, backend)],
            restartOnChange: true,
          }),
          delete: removeUnitScript(this.containerName),
          stdin: unit,
        },
        { parent: this },
      );
    } else {
      const scriptsDir = host.config.scriptsDir;
      const params = {
        Name: this.containerName,
        Image: backend.image,
        Port: backend.port,
        ArgumentsJson: JSON.stringify(vllmServerArgs(backend)),
        EnvJson: JSON.stringify(backend.env),
      };
      this.specHash = contentHash(JSON.stringify(params));
      host.step(
        `${name}-container`,
        {
          create: invokeWindowsScriptCommand(windowsScriptPath(scriptsDir, "Start-FabricVllm.ps1"), params),
          delete: invokeWindowsScriptCommand(windowsScriptPath(scriptsDir, "Remove-FabricVllm.ps1"), {
            Name: this.containerName,
          }),
        },
        { parent: this, dependsOn: host.scriptsInstalled },
      );
    }
    this.registerOutputs({ containerName: this.containerName, specHash: this.specHash });
  }
}
