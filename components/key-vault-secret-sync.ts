import * as pulumi from "@pulumi/pulumi";
import { renderEnvFile } from "../render/env-file.ts";
import { contentHash } from "../render/hash.ts";
import { shQuote } from "../render/quote.ts";
import { stageSecretFileScript } from "../render/steps.ts";
import type { Host } from "./host.ts";
import { tokens } from "./tokens.ts";

export interface KeyVaultSecretSyncArgs {
  /** The host the `.env` lives on. */
  readonly host: Host;
  /** The live `.env`; this step stages `<path>.next` for the gateway's gated apply. */
  readonly path: string;
  /** env var → value, already secret (see readSecretValues). */
  readonly values: pulumi.Output<Record<string, string>>;
}

/**
 * Secret values from the vault, written as a root-owned 0600 `.env`. The values travel on
 * stdin only; state keeps them encrypted; the step logs nothing. `contentHash` (itself secret)
 * changes exactly when the file would, which is what restarts the gateway.
 */
export class KeyVaultSecretSync extends pulumi.ComponentResource {
  public readonly contentHash: pulumi.Output<string>;
  public readonly staged: pulumi.Resource;

  constructor(name: string, args: KeyVaultSecretSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.keyVaultSecretSync, name, {}, opts);
    const content = pulumi.secret(args.values.apply(renderEnvFile));
    this.contentHash = pulumi.secret(content.apply((c) => contentHash(c)));
    this.staged = args.host.step(
      `${name}-env`,
      {
        create: stageSecretFileScript({ path: args.path, mode: "0600", owner: "root:root" }),
        delete: `set -eu\nrm -f ${shQuote(`${args.path}.next`)}\n`,
        stdin: content,
        triggers: [this.contentHash],
        secret: true,
      },
      { parent: this },
    );
    this.registerOutputs({ contentHash: this.contentHash });
  }
}
