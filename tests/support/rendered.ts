import { renderAskCliEnv } from "../../components/ask-cli-client.ts";
import type { FabricConfig } from "../../config/load.ts";
import { renderEnvFile } from "../../render/env-file.ts";
import { firewallEnsureScript, firewallUndoScript } from "../../render/firewalld.ts";
import { renderGatewayUnit, renderLiteLlmConfig } from "../../render/litellm.ts";
import { decodePowerShellCommand } from "../../render/quote.ts";
import {
  ensureFileScript,
  ensureUnitScript,
  gatewayFileRemoveScript,
  gatewayFileScript,
  removeUnitScript,
  restoreFileScript,
} from "../../render/steps.ts";
import { renderVllmUnit, vllmCacheDir, vllmContainerName, vllmServerArgs } from "../../render/vllm.ts";
import {
  installWindowsScriptCommand,
  invokeWindowsScriptCommand,
  removeWindowsScriptCommand,
  windowsScriptPath,
  windowsScripts,
} from "../../render/windows.ts";

export type Kind = "sh" | "ps1" | "service" | "yaml" | "env";
export interface Artifact {
  readonly name: string;
  readonly kind: Kind;
  readonly text: string;
}

/**
 * Everything fabric would put on or send to the stack's hosts, rendered by the same pure
 * functions the components call. Secret values are placeholders.
 */
export function renderedArtifacts(config: FabricConfig): Artifact[] {
  const out: Artifact[] = [];
  const add = (name: string, kind: Kind, text: string) => out.push({ name, kind, text });

  for (const [id, backend] of Object.entries(config.backends)) {
    const host = config.hosts[backend.host];
    if (host === undefined) continue;
    const name = vllmContainerName(id, backend);
    if (host.os === "linux") {
      add(`${id}.service`, "service", renderVllmUnit(host, id, backend));
      add(
        `${id}-ensure.sh`,
        "sh",
        ensureUnitScript({ unit: name, dirs: [vllmCacheDir(host.appsDir ?? "/", id, backend)], restartOnChange: true }),
      );
      add(`${id}-undo.sh`, "sh", removeUnitScript(name));
    } else {
      const params = {
        Name: name,
        Image: backend.image,
        Port: backend.port,
        ArgumentsJson: JSON.stringify(vllmServerArgs(backend)),
        EnvJson: "{}",
      };
      add(
        `${id}-start.ps1`,
        "ps1",
        decodePowerShellCommand(invokeWindowsScriptCommand(windowsScriptPath(host.scriptsDir, "Start-FabricVllm.ps1"), params)),
      );
      add(
        `${id}-proxy.ps1`,
        "ps1",
        decodePowerShellCommand(
          invokeWindowsScriptCommand(windowsScriptPath(host.scriptsDir, "Set-FabricPortProxy.ps1"), {
            Name: id,
            ListenPort: backend.port,
            ConnectPort: backend.port,
            AllowedCidr: config.tailnet?.cidr ?? "",
          }),
        ),
      );
    }
  }
  for (const [id, gateway] of Object.entries(config.gateways)) {
    const dir = gateway.appDir;
    add(`gateway-${id}-litellm.yaml`, "yaml", renderLiteLlmConfig(config, id));
    add(
      `gateway-${id}.service`,
      "service",
      renderGatewayUnit(gateway, config.hosts[gateway.host]?.address ?? "", { envFile: true, redis: false }),
    );
    add(
      `gateway-${id}-unit-ensure.sh`,
      "sh",
      ensureUnitScript({ unit: gateway.unit, dirs: [dir], restartOnChange: false, pendingRestartFile: `${dir}/.restart-pending` }),
    );
    const gated = {
      appDir: dir,
      unit: gateway.unit,
      containerName: gateway.containerName,
      readinessUrl: `http://127.0.0.1:${gateway.port}/health/readiness`,
      readinessTimeoutSeconds: gateway.readinessTimeoutSeconds,
    };
    add(
      `gateway-${id}-apply.sh`,
      "sh",
      gatewayFileScript({ ...gated, file: "config.yaml", mode: "0644", role: "config", unitHash: "0123456789abcdef" }),
    );
    add(`gateway-${id}-undo.sh`, "sh", gatewayFileRemoveScript({ appDir: dir, file: "config.yaml" }));
    add(`gateway-${id}-env.sh`, "sh", gatewayFileScript({ ...gated, file: ".env", mode: "0600", role: "secrets" }));
    add(`gateway-${id}.env`, "env", renderEnvFile(Object.fromEntries(Object.keys(config.secrets.env).map((k) => [k, `<${k}>`]))));
  }
  for (const [id, rule] of Object.entries(config.firewall)) {
    add(`firewall-${id}-ensure.sh`, "sh", firewallEnsureScript(rule));
    add(`firewall-${id}-undo.sh`, "sh", firewallUndoScript(rule));
  }
  for (const [host, client] of Object.entries(config.clients)) {
    add(`client-${host}.env`, "sh", renderAskCliEnv(client, client.apiKeyEnv === undefined ? undefined : "<key>"));
    add(`client-${host}-ensure.sh`, "sh", ensureFileScript({ path: client.path, mode: "0600", owner: client.owner }));
    add(`client-${host}-undo.sh`, "sh", restoreFileScript(client.path));
  }
  if (Object.values(config.hosts).some((h) => h.os === "windows-wsl")) {
    for (const [script, text] of Object.entries(windowsScripts)) add(script, "ps1", text);
    const path = windowsScriptPath("C:\\ProgramData\\fabric", "Set-FabricPortProxy.ps1");
    add("install-script.ps1", "ps1", decodePowerShellCommand(installWindowsScriptCommand(path)));
    add("remove-script.ps1", "ps1", decodePowerShellCommand(removeWindowsScriptCommand(path)));
  }
  return out;
}
