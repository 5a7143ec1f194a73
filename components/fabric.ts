import * as pulumi from "@pulumi/pulumi";
import type { FabricConfig } from "../config/load.ts";
import { gatewayModelNames, gatewayModels, renderLiteLlmConfig } from "../render/litellm.ts";
import type { WindowsScriptName } from "../render/windows.ts";
import { AskCliClient } from "./ask-cli-client.ts";
import { FirewallRichRule } from "./firewall-rich-rule.ts";
import { Host } from "./host.ts";
import { LiteLlmGateway } from "./litellm-gateway.ts";
import { RedisCache } from "./redis-cache.ts";
import { tokens } from "./tokens.ts";
import { VllmServer } from "./vllm-server.ts";
import { WindowsPortProxy } from "./windows-port-proxy.ts";

export interface FabricArgs {
  /** The validated config of the stack. */
  readonly config: FabricConfig;
  /** SSH private key (secret); without it the SSH agent is used. */
  readonly privateKey?: pulumi.Input<string>;
  /** env var → value for every variable of the secrets map, already secret. */
  readonly secretValues: pulumi.Output<Record<string, string>>;
}

export interface GatewayEndpoint {
  readonly host: string;
  readonly url: string;
  readonly readinessUrl: string;
  readonly models: string[];
}

export interface BackendEndpoint {
  readonly host: string;
  readonly url: string;
  readonly servedName: string;
  readonly task: "chat" | "embed";
  readonly optional: boolean;
  readonly containerName: string;
}

const windowsScriptsFor = {
  backend: ["Start-FabricVllm.ps1", "Remove-FabricVllm.ps1"],
  proxy: ["Set-FabricPortProxy.ps1", "Register-FabricPortProxyTask.ps1", "Remove-FabricPortProxy.ps1"],
  drift: ["Get-FabricState.ps1"],
} as const satisfies Record<string, readonly WindowsScriptName[]>;

/**
 * The whole fabric of a stack: each host that has work, and on it its vLLM servers, port
 * proxies, gateways with their secrets and cache, firewall rules and client settings.
 * Hosts share nothing, so they converge in parallel and one that is off stops only itself.
 */
export class Fabric extends pulumi.ComponentResource {
  public readonly gateways: Record<string, GatewayEndpoint> = {};
  public readonly backends: Record<string, BackendEndpoint> = {};

  constructor(name: string, args: FabricArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.fabric, name, {}, opts);
    const { config } = args;
    const busy = new Set([
      ...Object.values(config.backends).map((b) => b.host),
      ...Object.values(config.gateways).map((g) => g.host),
      ...Object.values(config.firewall).map((r) => r.host),
      ...Object.keys(config.clients),
    ]);
    const hosts = new Map<string, Host>();
    for (const hostName of Object.keys(config.hosts).filter((h) => busy.has(h))) {
      const hostConfig = config.hosts[hostName];
      if (hostConfig === undefined) continue;
      const scripts: WindowsScriptName[] =
        hostConfig.os === "windows-wsl" ? [...windowsScriptsFor.backend, ...windowsScriptsFor.proxy, ...windowsScriptsFor.drift] : [];
      hosts.set(
        hostName,
        new Host(
          `host-${hostName}`,
          { config: hostConfig, windowsScripts: scripts, ...(args.privateKey === undefined ? {} : { privateKey: args.privateKey }) },
          { parent: this },
        ),
      );
    }
    const hostOf = (name: string): Host => {
      const host = hosts.get(name);
      if (host === undefined) throw new Error(`no host '${name}'`);
      return host;
    };

    for (const [id, backend] of Object.entries(config.backends)) {
      const host = hostOf(backend.host);
      const server = new VllmServer(`backend-${id}`, { host, backendId: id, backend }, { parent: host });
      if (host.config.os === "windows-wsl") {
        new WindowsPortProxy(
          `portproxy-${id}`,
          {
            host,
            proxyName: id,
            listenPort: backend.port,
            connectPort: backend.port,
            allowedCidr: config.tailnet?.cidr ?? "",
          },
          { parent: host, dependsOn: [server] },
        );
      }
      this.backends[id] = {
        host: backend.host,
        url: `http://${host.config.address}:${backend.port}`,
        servedName: backend.servedName,
        task: backend.task,
        optional: host.config.optional,
        containerName: server.containerName,
      };
    }

    for (const [id, rule] of Object.entries(config.firewall)) {
      const host = hostOf(rule.host);
      new FirewallRichRule(`firewall-${id}`, { host, rule }, { parent: host });
    }

    const secretValue = (env: string) => pulumi.secret(args.secretValues.apply((v) => v[env] ?? ""));

    for (const [id, gateway] of Object.entries(config.gateways)) {
      const host = hostOf(gateway.host);
      const secretEnv = gateway.secretEnv ?? Object.keys(config.secrets.env);
      const gatewaySecrets =
        secretEnv.length === 0
          ? undefined
          : pulumi.secret(args.secretValues.apply((v) => Object.fromEntries(secretEnv.map((env) => [env, v[env] ?? ""]))));
      const redis = gateway.cache.enabled ? gateway.cache.redis : undefined;
      const cache =
        redis === undefined
          ? undefined
          : new RedisCache(
              `redis-${id}`,
              {
                host,
                dir: `${gateway.appDir}/redis`,
                containerName: `${gateway.containerName}-redis`,
                image: redis.image,
                port: redis.port,
                password: secretValue(redis.passwordEnv),
              },
              { parent: host },
            );
      const litellm = new LiteLlmGateway(
        `gateway-${id}`,
        {
          host,
          gateway,
          config: renderLiteLlmConfig(config, id),
          ...(gatewaySecrets === undefined ? {} : { secretValues: gatewaySecrets }),
          ...(cache === undefined ? {} : { cache }),
        },
        { parent: host },
      );
      this.gateways[id] = {
        host: gateway.host,
        url: litellm.url,
        readinessUrl: litellm.readinessUrl,
        models: gatewayModelNames(gatewayModels(config, gateway)),
      };
    }

    for (const [hostName, client] of Object.entries(config.clients)) {
      const host = hostOf(hostName);
      new AskCliClient(
        `client-${hostName}`,
        { host, client, ...(client.apiKeyEnv === undefined ? {} : { apiKey: secretValue(client.apiKeyEnv) }) },
        { parent: host },
      );
    }

    this.registerOutputs({ gateways: this.gateways, backends: this.backends });
  }
}
