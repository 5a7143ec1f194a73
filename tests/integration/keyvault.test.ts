import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyVaultSource, readSecretValues } from "../../components/secret-sources.ts";
import { renderEnvFile } from "../../render/env-file.ts";
import { type KeyVaultEmulator, startKeyVaultEmulator } from "../support/keyvault-emulator.ts";
import { generatedSecrets, resolve, setFabricMocks } from "../support/mocks.ts";

/**
 * The secret sync's reader, the production code path (SecretClient with an injected
 * credential and vault URL), against a Key Vault data-plane stand-in over HTTPS with a test CA
 * made at run time and trusted only by this client. No maintained Key Vault emulator is
 * installable here (lowkey-vault's app jar is not on the Maven Central reached here), so the
 * stand-in is fabric's own; it speaks the challenge-based auth the SDK expects.
 */
const map = { LITELLM_MASTER_KEY: "litellm-master-key", OPENAI_API_KEY: "openai-api-key" };
let kv: KeyVaultEmulator;
let values: Record<string, string>;

beforeAll(async () => {
  setFabricMocks("motoko");
  values = generatedSecrets(Object.keys(map));
  kv = await startKeyVaultEmulator({
    secrets: { "litellm-master-key": values.LITELLM_MASTER_KEY ?? "", "openai-api-key": values.OPENAI_API_KEY ?? "" },
  });
});
afterAll(async () => {
  await kv?.stop();
});

const source = () => keyVaultSource(kv.vaultUrl, kv.credential, kv.clientOptions);

describe("the secret sync's reader against Key Vault over HTTPS", () => {
  it("reads every mapped variable, as a secret, through the 401-then-token handshake", async () => {
    const out = await readSecretValues(source(), map, { dryRun: false, warn: () => {} });
    expect(await pulumi.isSecret(out)).toBe(true);
    const env = renderEnvFile(await resolve(out));
    for (const [name, value] of Object.entries(values)) expect(env).toContain(`${name}=${value}\n`);
    expect(kv.requests.some((r) => r.status === 401)).toBe(true);
    expect(kv.tokenRequests.length).toBeGreaterThan(0);
  });

  it("sees a rotated secret (a new version), so the .env content and its step change", async () => {
    const before = renderEnvFile(await source().read(map));
    const { SecretClient } = await import("@azure/keyvault-secrets");
    await new SecretClient(kv.vaultUrl, kv.credential, kv.clientOptions).setSecret("openai-api-key", "rotated-value-for-the-test");
    const after = renderEnvFile(await source().read(map));
    expect(after).not.toBe(before);
    expect(after).toContain("OPENAI_API_KEY=rotated-value-for-the-test\n");
  });

  it("a missing secret fails with the vault and the secret name", async () => {
    await expect(source().read({ REDIS_PASSWORD: "redis-password" })).rejects.toThrow(
      `Key Vault ${kv.vaultUrl}: secret 'redis-password' (for REDIS_PASSWORD) not found`,
    );
  });

  it("an unreachable vault fails clearly, without values", async () => {
    const other = await startKeyVaultEmulator();
    const url = other.vaultUrl;
    const options = other.clientOptions;
    const credential = other.credential;
    await other.stop();
    const started = Date.now();
    await expect(keyVaultSource(url, credential, options).read(map)).rejects.toThrow(
      /cannot read secret '.*' \(for [A-Z_]+\): unreachable \(ECONNREFUSED\)/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a refused credential is a credential problem: a preview goes on with unknown values", async () => {
    const refusing = await startKeyVaultEmulator({ secrets: { "litellm-master-key": "x" }, authorize: () => "unauthorized" });
    try {
      const warnings: string[] = [];
      const out = await readSecretValues(
        keyVaultSource(refusing.vaultUrl, refusing.credential, refusing.clientOptions),
        { LITELLM_MASTER_KEY: "litellm-master-key" },
        {
          dryRun: true,
          warn: (m) => warnings.push(m),
        },
      );
      expect(await out.isKnown).toBe(false);
      expect(warnings[0]).toMatch(/previewing with secret values unknown$/);
    } finally {
      await refusing.stop();
    }
  });
});
