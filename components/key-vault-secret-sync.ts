import * as pulumi from "@pulumi/pulumi";
import { renderEnvFile } from "../render/env-file.ts";
import { type GatewayFile, gatewayFileRemoveScript, gatewayFileScript } from "../render/steps.ts";
import type { Host } from "./host.ts";
import { tokens } from "./tokens.ts";

export interface KeyVaultSecretSyncArgs {
  /** The gateway's host. */
  readonly host: Host;
  /** The gateway whose `.env` this is: where it lives and how to restart and probe it. */
  readonly gateway: Omit<GatewayFile, "file" | "mode" | "role" | "unitHash">;
  /** env var → value, already secret (see readSecretValues). */
  readonly values: pulumi.Output<Record<string, string>>;
}

/**
 * Secret values from the vault as the gateway's root-owned 0600 `.env`. The values travel on
 * stdin only; state keeps them encrypted; the step logs nothing. A changed value is a changed
 * input: the step swaps the file in and restarts the running gateway, health-gated, and puts
 * the previous `.env` back if the gateway does not come up on the new one.
 */
export class KeyVaultSecretSync extends pulumi.ComponentResource {
  public readonly written: pulumi.Resource;

  constructor(name: string, args: KeyVaultSecretSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.keyVaultSecretSync, name, {}, opts);
    const file = { ...args.gateway, file: ".env", mode: "0600", role: "secrets" } as const;
    this.written = args.host.step(
      `${name}-env`,
      {
        create: gatewayFileScript(file),
        delete: gatewayFileRemoveScript(file),
        stdin: pulumi.secret(args.values.apply(renderEnvFile)),
        secret: true,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
