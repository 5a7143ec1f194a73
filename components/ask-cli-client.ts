import * as pulumi from "@pulumi/pulumi";
import type { ClientConfig } from "../config/clients.ts";
import { shQuote } from "../render/quote.ts";
import { ensureFileScript, restoreFileScript } from "../render/steps.ts";
import type { Host } from "./host.ts";
import { tokens } from "./tokens.ts";

export interface AskCliClientArgs {
  /** A Linux host where people run ask-cli. */
  readonly host: Host;
  readonly client: ClientConfig;
  /** The API key, a secret, when the gateway demands one. */
  readonly apiKey?: pulumi.Output<string>;
}

/** The ask-cli settings (ASK_BASE_URL, ASK_MODEL, ASK_API_KEY) as a file a shell can source. */
export function renderAskCliEnv(client: ClientConfig, apiKey?: string): string {
  const lines = [
    "# Written by fabric: ask-cli settings. Source it: . <this file>",
    `export ASK_BASE_URL=${shQuote(client.baseUrl)}`,
    `export ASK_MODEL=${shQuote(client.model)}`,
    ...(apiKey === undefined ? [] : [`export ASK_API_KEY=${shQuote(apiKey)}`]),
  ];
  return `${lines.join("\n")}\n`;
}

export class AskCliClient extends pulumi.ComponentResource {
  constructor(name: string, args: AskCliClientArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.askCliClient, name, {}, opts);
    const { client } = args;
    const secret = args.apiKey !== undefined;
    const content = secret
      ? pulumi.secret(args.apiKey.apply((key) => renderAskCliEnv(client, key)))
      : pulumi.output(renderAskCliEnv(client));
    // With a key inside, only its owner may read it.
    const mode = secret ? "0600" : "0644";
    args.host.step(
      `${name}-env`,
      {
        create: ensureFileScript({ path: client.path, mode, owner: client.owner }),
        delete: restoreFileScript(client.path),
        stdin: content,
        secret,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
