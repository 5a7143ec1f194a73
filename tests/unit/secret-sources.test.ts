import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { configSource, readSecretValues, SecretReadError, type SecretSource } from "../../components/secret-sources.ts";
import { resolve, setFabricMocks } from "../support/mocks.ts";

beforeAll(() => setFabricMocks("motoko"));

const failing = (credentialProblem: boolean): SecretSource => ({
  description: "Key Vault https://kv.example",
  read: async () => {
    throw new SecretReadError(
      "Key Vault https://kv.example: cannot read secret 'litellm-master-key' (for LITELLM_MASTER_KEY): no credential",
      credentialProblem,
    );
  },
});

describe("readSecretValues", () => {
  it("wraps the values as a secret at once", async () => {
    const out = await readSecretValues(configSource({ A: "1" }), { A: "a" }, { dryRun: false, warn: () => {} });
    expect(await pulumi.isSecret(out)).toBe(true);
    expect(await resolve(out)).toEqual({ A: "1" });
  });

  it("lets a preview without credentials go on with unknown values and a warning", async () => {
    const warnings: string[] = [];
    const out = await readSecretValues(
      failing(true),
      { LITELLM_MASTER_KEY: "litellm-master-key" },
      { dryRun: true, warn: (m) => warnings.push(m) },
    );
    expect(await pulumi.isSecret(out)).toBe(true);
    expect(await out.isKnown).toBe(false);
    expect(warnings).toEqual([
      "Key Vault https://kv.example: cannot read secret 'litellm-master-key' (for LITELLM_MASTER_KEY): no credential; previewing with secret values unknown",
    ]);
  });

  it("fails an update without credentials, naming the vault and the secret", async () => {
    await expect(readSecretValues(failing(true), { LITELLM_MASTER_KEY: "x" }, { dryRun: false, warn: () => {} })).rejects.toThrow(
      "Key Vault https://kv.example: cannot read secret 'litellm-master-key'",
    );
  });

  it("fails even a preview when a secret is missing (not a credential problem)", async () => {
    await expect(readSecretValues(failing(false), { LITELLM_MASTER_KEY: "x" }, { dryRun: true, warn: () => {} })).rejects.toThrow(
      SecretReadError,
    );
  });
});

describe("configSource", () => {
  it("names the missing variable and how to set it", async () => {
    await expect(configSource({}).read({ OPENAI_API_KEY: "openai-api-key" })).rejects.toThrow(
      "fabric:secretValues: no value for OPENAI_API_KEY (pulumi config set --secret --path 'secretValues.OPENAI_API_KEY')",
    );
  });
});
