import type { TokenCredential } from "@azure/core-auth";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import * as pulumi from "@pulumi/pulumi";

/** Where secret values come from: env var → secret name in, env var → value out. */
export interface SecretSource {
  /** Named in every error: `Key Vault https://kv-miket-ops.vault.azure.net`. */
  readonly description: string;
  read(names: Readonly<Record<string, string>>): Promise<Record<string, string>>;
}

export class SecretReadError extends Error {
  /** The credential was missing or refused: a preview may go on without values. */
  public readonly credentialProblem: boolean;

  constructor(message: string, credentialProblem: boolean) {
    super(message);
    this.name = "SecretReadError";
    this.credentialProblem = credentialProblem;
  }
}

/**
 * Azure Key Vault's data plane through the official SDK. ARM's getSecret does not return
 * values, so the management provider cannot do this. Credential and options are injected
 * (DefaultAzureCredential in production, the emulator's in tests); retries are bounded.
 */
export function keyVaultSource(vaultUrl: string, credential: TokenCredential, options: SecretClientOptions = {}): SecretSource {
  const client = new SecretClient(vaultUrl, credential, { retryOptions: { maxRetries: 2, maxRetryDelayInMs: 2000 }, ...options });
  const description = `Key Vault ${vaultUrl}`;
  return {
    description,
    async read(names) {
      const entries = await Promise.all(
        Object.entries(names).map(async ([env, secretName]) => {
          try {
            const secret = await client.getSecret(secretName);
            if (secret.value === undefined)
              throw new SecretReadError(`${description}: secret '${secretName}' (for ${env}) has no value`, false);
            return [env, secret.value] as const;
          } catch (err) {
            throw describeKeyVaultError(err, description, secretName, env);
          }
        }),
      );
      return Object.fromEntries(entries);
    },
  };
}

function describeKeyVaultError(err: unknown, description: string, secretName: string, env: string): SecretReadError {
  if (err instanceof SecretReadError) return err;
  const e = err as { name?: string; statusCode?: number; code?: string; message?: string };
  if (e.statusCode === 404 || e.code === "SecretNotFound") {
    return new SecretReadError(`${description}: secret '${secretName}' (for ${env}) not found`, false);
  }
  const credential =
    e.name === "CredentialUnavailableError" || e.name === "AuthenticationError" || e.statusCode === 401 || e.statusCode === 403;
  const why = e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" ? `unreachable (${e.code})` : (e.message ?? String(err)).split("\n")[0];
  return new SecretReadError(`${description}: cannot read secret '${secretName}' (for ${env}): ${why}`, credential);
}

/** Values kept in the stack's encrypted config (`fabric:secretValues`). */
export function configSource(values: Readonly<Record<string, string>>): SecretSource {
  return {
    description: "fabric:secretValues",
    async read(names) {
      const out: Record<string, string> = {};
      for (const env of Object.keys(names)) {
        const value = values[env];
        if (value === undefined) {
          throw new SecretReadError(
            `fabric:secretValues: no value for ${env} (pulumi config set --secret --path 'secretValues.${env}')`,
            false,
          );
        }
        out[env] = value;
      }
      return out;
    },
  };
}

/**
 * Reads every value at once and wraps it as a secret before anything else sees it. A failed
 * read fails the program before any resource is registered, so nothing is applied. A preview
 * without credentials goes on with the values unknown and says so.
 */
export async function readSecretValues(
  source: SecretSource,
  names: Readonly<Record<string, string>>,
  options: { readonly dryRun: boolean; readonly warn: (message: string) => void },
): Promise<pulumi.Output<Record<string, string>>> {
  try {
    return pulumi.secret(await source.read(names));
  } catch (err) {
    if (options.dryRun && err instanceof SecretReadError && err.credentialProblem) {
      options.warn(`${err.message}; previewing with secret values unknown`);
      return unknownSecret<Record<string, string>>();
    }
    throw err;
  }
}

type OutputCtor = new <T>(
  resources: Set<pulumi.Resource>,
  promise: Promise<T>,
  isKnown: Promise<boolean>,
  isSecret: Promise<boolean>,
  allResources: Promise<Set<pulumi.Resource>>,
) => pulumi.Output<T>;

/** An Output the engine treats as unknown (shown as "output<string>" in a preview). */
export function unknownSecret<T>(): pulumi.Output<T> {
  // The SDK has no public constructor for this; its own createSimpleOutput builds Outputs the same way.
  const Output = pulumi.Output as unknown as OutputCtor;
  return new Output<T>(
    new Set(),
    Promise.resolve(undefined as T),
    Promise.resolve(false),
    Promise.resolve(true),
    Promise.resolve(new Set()),
  );
}
