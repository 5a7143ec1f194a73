import { z } from "zod";
import { envVarName, secretName } from "./primitives.ts";

const vaultName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "must be a vault name");
const vaultUrl = z.url({ protocol: /^https$/ });

/** Where gateway secrets come from: env var name → Key Vault secret name. */
export const secretsSchema = z.strictObject({
  /** `keyvault` reads Azure Key Vault; `config` reads `fabric:secretValues` (pulumi config set --secret). */
  source: z.enum(["keyvault", "config"]).default("keyvault"),
  /** Vault name (`kv-miket-ops`) or its URL. */
  vault: z.union([vaultUrl, vaultName]).optional(),
  env: z.record(envVarName, secretName).default({}),
});

export type SecretsConfig = z.infer<typeof secretsSchema>;

/** The URL of the vault's data plane. */
export function vaultUrlOf(vault: string): string {
  return vault.startsWith("https://") ? vault.replace(/\/+$/, "") : `https://${vault}.vault.azure.net`;
}
