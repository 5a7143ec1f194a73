import * as pulumi from "@pulumi/pulumi";
import type { GatewayConfig } from "../config/gateways.ts";
import { contentHash } from "../render/hash.ts";
import { gatewayCorsEnv } from "../render/litellm.ts";
import { ensureUnitScript, gatewayApplyScript, gatewayRemoveScript, gatewayRestartPending, removeUnitScript } from "../render/steps.ts";
import { renderContainerUnit } from "../render/systemd.ts";
import type { Host } from "./host.ts";
import type { KeyVaultSecretSync } from "./key-vault-secret-sync.ts";
import type { RedisCache } from "./redis-cache.ts";
import { tokens } from "./tokens.ts";

export interface LiteLlmGatewayArgs {
  /** The Linux host it runs on. */
  readonly host: Host;
  readonly gateway: GatewayConfig;
  /** The rendered LiteLLM config (render/litellm.ts). */
  readonly config: string;
  /** Stages the `.env`; the gateway restarts when its content changes. */
  readonly secrets?: KeyVaultSecretSync;
  /** Redis for the response cache, started before the gateway. */
  readonly cache?: RedisCache;
}

/**
 * A LiteLLM proxy: its container unit, and a health-gated apply of its config and `.env`
 * (stage, keep the previous, restart, poll readiness, put the previous back on failure).
 * Config, `.env` and unit changes in one `up` cost one restart.
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

    const unit = renderContainerUnit({
      description: `fabric: LiteLLM gateway (${gateway.unit})`,
      containerName: gateway.containerName,
      image: gateway.image,
      ...(args.secrets === undefined ? {} : { envFile: `${dir}/.env` }),
      podmanArgs: ["-v", `${dir}/config.yaml:/app/config.yaml:ro,z`, "-e", gatewayCorsEnv(gateway, host.config.address)],
      args: ["--config", "/app/config.yaml", "--host", gateway.bind, "--port", String(gateway.port)],
      ...(args.cache === undefined ? {} : { after: [`${gateway.containerName}-redis.service`] }),
    });
    const unitHash = contentHash(unit);
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
        triggers: [unitHash],
      },
      { parent: this },
    );

    const staged = ["config.yaml", ...(args.secrets === undefined ? [] : [".env"])];
    host.step(
      `${name}-apply`,
      {
        create: gatewayApplyScript({
          appDir: dir,
          unit: gateway.unit,
          containerName: gateway.containerName,
          readinessUrl: this.readinessUrl,
          readinessTimeoutSeconds: gateway.readinessTimeoutSeconds,
          stagedFiles: staged,
        }),
        delete: gatewayRemoveScript({ appDir: dir, files: staged }),
        stdin: args.config,
        triggers: [this.configHash, unitHash, ...(args.secrets === undefined ? [] : [args.secrets.contentHash])],
      },
      {
        parent: this,
        dependsOn: [unitStep, ...(args.secrets === undefined ? [] : [args.secrets.staged]), ...(args.cache?.ready ?? [])],
      },
    );
    this.registerOutputs({ url: this.url, readinessUrl: this.readinessUrl, configHash: this.configHash });
  }
}
