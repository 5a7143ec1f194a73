import * as pulumi from "@pulumi/pulumi";
import { invokeWindowsScriptCommand, windowsScriptPath } from "../render/windows.ts";
import type { Host } from "./host.ts";
import { tokens } from "./tokens.ts";

export interface WindowsPortProxyArgs {
  /** A Windows host. */
  readonly host: Host;
  /** Names the firewall rule (`fabric-<name>`) and the task (`fabric-portproxy-<name>`). */
  readonly proxyName: string;
  readonly listenPort: number;
  readonly connectPort: number;
  /** Who may connect: the tailnet. */
  readonly allowedCidr: string;
  /** How often the task re-resolves the WSL address besides at start-up. */
  readonly intervalMinutes?: number;
}

/**
 * A Windows port forwarded into WSL2, where Podman Desktop's containers listen. WSL2's address
 * changes at every boot, so `up` applies the proxy once and leaves a scheduled task on the host
 * that re-applies it at start-up and periodically; a firewall rule admits only the tailnet.
 */
export class WindowsPortProxy extends pulumi.ComponentResource {
  constructor(name: string, args: WindowsPortProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.windowsPortProxy, name, {}, opts);
    const { host } = args;
    if (host.config.os !== "windows-wsl") throw new Error(`${name}: port proxies are for Windows hosts`);
    const script = (s: Parameters<typeof windowsScriptPath>[1]) => windowsScriptPath(host.config.scriptsDir, s);
    const proxy = {
      Name: args.proxyName,
      ListenPort: args.listenPort,
      ConnectPort: args.connectPort,
      AllowedCidr: args.allowedCidr,
    };
    const task = { ...proxy, IntervalMinutes: args.intervalMinutes ?? 5 };
    const applied = host.step(
      `${name}-proxy`,
      {
        create: invokeWindowsScriptCommand(script("Set-FabricPortProxy.ps1"), proxy),
        delete: invokeWindowsScriptCommand(script("Remove-FabricPortProxy.ps1"), {
          Name: args.proxyName,
          ListenPort: args.listenPort,
        }),
      },
      { parent: this, dependsOn: host.scriptsInstalled },
    );
    // Removing the proxy removes its task too; the task step has nothing of its own to undo.
    host.step(
      `${name}-task`,
      {
        create: invokeWindowsScriptCommand(script("Register-FabricPortProxyTask.ps1"), task),
      },
      { parent: this, dependsOn: [...host.scriptsInstalled, applied] },
    );
    this.registerOutputs({});
  }
}
