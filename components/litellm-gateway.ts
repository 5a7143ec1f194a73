import * as pulumi from "@pulumi/pulumi";
import type { GatewayConfig } from "../config/gateways.ts";
import { contentHash } from "../render/hash.ts";
import { renderGatewayUnit } from "../render/litellm.ts";
import { ensureUnitScript, gatewayFileRemoveScript, gatewayFileScript, gatewayRestartPending, removeUnitScript } from "../render/steps.ts";
import type { Host } from "./host.ts";
import { KeyVaultSecretSync } from "./key-vault-secret-sync.ts";
import type { RedisCache } from "./redis-cache.ts";
import { tokens } from "./tokens.ts";

export interface LiteLlmGatewayArgs {
  /** The Linux host it runs on. */
  readonly host: Host;
  readonly gateway: GatewayConfig;
  /** The rendered LiteLLM config (render/litellm.ts). */
  readonly config: string;
  /** env var → value for its `.env` (secret); no `.env` when absent. */
  readonly secretValues?: pulumi.Output<Record<string, string>>;
  /** Redis for the response cache, started before the gateway. */
  readonly cache?: RedisCache;
}

/**
 * A LiteLLM proxy: its container unit, its `.env` (KeyVaultSecretSync) and its config, each a
 * health-gated apply (stage, keep the previous, restart, poll readiness, put the previous
 * back on failure). A change restarts the gateway once; a change to both the config and the
 * secrets in one update restarts it twice (the secrets first).
 */
export class LiteLlmGateway extends pulumi.ComponentResource {
  public readonly url: string;
  public readonly readinessUrl: string;
  public readonly configHash: string;

  constructor(name: string, args: LiteLlmGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.liteLlmGateway, name, {}, opts);
    const { host, gateway } = args;
    if (host.config.os !== "linux") throw new Error(`${name}: gateways run on Linux hosts`);
    const dir = gateway.appDir;
    const localAddress = gateway.bind === "0.0.0.0" ? "127.0.0.1" : gateway.bind;
    this.url = `http://${host.config.address}:${gateway.port}/v1`;
    this.readinessUrl = `http://${localAddress}:${gateway.port}/health/readiness`;
    this.configHash = contentHash(args.config);

    const unit = renderGatewayUnit(gateway, host.config.address, {
      envFile: args.secretValues !== undefined,
      redis: args.cache !== undefined,
    });
    const unitStep = host.step(
      `${name}-unit`,
      {
        create: ensureUnitScript({
          unit: gateway.unit,
          dirs: [dir],
          restartOnChange: false,
          pendingRestartFile: `${dir}/${gatewayRestartPending}`,
        }),
        delete: removeUnitScript(gateway.unit),
        stdin: unit,
      },
      { parent: this },
    );

    const gated = {
      appDir: dir,
      unit: gateway.unit,
      containerName: gateway.containerName,
      readinessUrl: this.readinessUrl,
      readinessTimeoutSeconds: gateway.readinessTimeoutSeconds,
    };
    const secrets =
      args.secretValues === undefined
        ? undefined
        : new KeyVaultSecretSync(
            `${name.replace(/^gateway-/, "secrets-")}`,
            { host, gateway: gated, values: args.secretValues },
            { parent: this, dependsOn: [unitStep] },
          );
    const configFile = { ...gated, file: "config.yaml", mode: "0644", role: "config", unitHash: contentHash(unit) } as const;
    host.step(
      `${name}-apply`,
      { create: gatewayFileScript(configFile), delete: gatewayFileRemoveScript(configFile), stdin: args.config },
      {
        parent: this,
        dependsOn: [unitStep, ...(secrets === undefined ? [] : [secrets.written]), ...(args.cache?.ready ?? [])],
      },
    );
    this.registerOutputs({ url: this.url, readinessUrl: this.readinessUrl, configHash: this.configHash });
  }
}
