import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { findFallbackCycle } from "../../config/fallbacks.ts";
import { allStacks, problemsOf, rawStack } from "../support/stacks.ts";

const scratch = mkdtempSync(join(tmpdir(), "fabric-validate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const paths = (raw: Record<string, unknown>, secretKeys: string[] = []) =>
  problemsOf(raw, secretKeys).map((p) => `${p.path}: ${p.message}`);

describe("the committed stack files", () => {
  it.each(allStacks)("%s validates with every host key reported as not pinned", (stack) => {
    const result = spawnSync(process.execPath, ["--no-warnings", "cli/validate.ts", stack], { encoding: "utf8" });
    expect(result.stderr).toMatch(/hostKey: not pinned/);
    expect(result.stdout).toBe(`Pulumi.${stack}.yaml: valid\n`);
    expect(result.status).toBe(0);
  });
});

describe("cross-checks name the exact key", () => {
  it("an unknown key inside a gateway is rejected (a typo is not ignored)", () => {
    const raw = rawStack("motoko");
    raw["fabric:gateways"].motoko.prot = 8000;
    expect(paths(raw)).toEqual(["fabric:gateways.motoko: unknown key 'prot'"]);
  });

  it("an unknown fabric: key is rejected and the known ones are listed", () => {
    const raw = rawStack("motoko");
    raw["fabric:gateway"] = {};
    expect(paths(raw)[0]).toMatch(/^fabric:gateway: unknown key \(known: tailnet, hosts/);
  });

  it("a role's backend must exist", () => {
    const raw = rawStack("motoko");
    raw["fabric:roles"]["chat-fast"].backend = "armitage-chatt";
    expect(paths(raw)).toContain("fabric:roles.chat-fast.backend: unknown backend 'armitage-chatt'");
  });

  it("a fallback must be a role or provider", () => {
    const raw = rawStack("motoko");
    raw["fabric:roles"]["chat-fast"].fallbacks = ["chat-deep", "openai/strongest"];
    expect(paths(raw)).toContain("fabric:roles.chat-fast.fallbacks[1]: unknown role or provider 'openai/strongest'");
  });

  it("a fallback must serve the same task", () => {
    const raw = rawStack("motoko");
    raw["fabric:roles"]["embeddings-general"].fallbacks = ["chat-deep"];
    expect(paths(raw)).toContain(
      "fabric:roles.embeddings-general.fallbacks[0]: 'chat-deep' serves chat, 'embeddings-general' serves embed",
    );
  });

  it("a cycle in fallbacks is rejected with the cycle printed", () => {
    const raw = rawStack("motoko");
    raw["fabric:roles"]["chat-deep"].fallbacks = ["chat-fast"];
    expect(paths(raw)).toContain("fabric:roles.chat-deep: fallback cycle: chat-deep → chat-fast → chat-deep");
  });

  it("two services on one host cannot share a port", () => {
    const raw = rawStack("motoko");
    raw["fabric:backends"]["motoko-embed"].port = 8000;
    expect(paths(raw)).toContain("fabric:gateways.motoko.port: port 8000 on 'motoko' is already used by fabric:backends.motoko-embed.port");
  });

  it("a model name is unique across roles, aliases and providers", () => {
    const raw = rawStack("motoko");
    raw["fabric:roles"]["chat-deep"].aliases = ["local/reasoner", "local/chat"];
    expect(paths(raw)).toContain(
      "fabric:roles.chat-deep.aliases[1]: model name 'local/chat' is already used at fabric:roles.chat-fast.aliases[0]",
    );
  });

  it("a gateway beyond loopback needs a master key", () => {
    const raw = rawStack("akira");
    delete raw["fabric:gateways"].akira.masterKeyEnv;
    expect(paths(raw)).toEqual(["fabric:gateways.akira.masterKeyEnv: required: the gateway binds 0.0.0.0, beyond loopback"]);
  });

  it("a gateway beyond loopback needs a firewall rule for its port", () => {
    const raw = rawStack("akira");
    raw["fabric:firewall"]["akira-litellm"].port = 4001;
    expect(paths(raw)).toEqual(["fabric:gateways.akira.bind: 0.0.0.0:4000 needs a fabric:firewall rule on 'akira' for port 4000"]);
  });

  it("a loopback gateway needs neither", () => {
    const raw = rawStack("akira");
    raw["fabric:gateways"].akira.bind = "127.0.0.1";
    delete raw["fabric:gateways"].akira.masterKeyEnv;
    delete raw["fabric:firewall"];
    expect(() => problemsOf(raw)).toThrow("expected the config to be rejected");
  });

  it("a gateway must serve the targets of its roles' fallbacks", () => {
    const raw = rawStack("motoko");
    raw["fabric:gateways"].motoko.models = ["chat-fast", "chat-deep", "embeddings-general"];
    expect(paths(raw)).toContain(
      "fabric:gateways.motoko.models: 'chat-fast' falls back to 'openai/strong' (roles.chat-fast.fallbacks[1]), which this gateway does not serve",
    );
  });

  it("an image by a floating tag is rejected", () => {
    const raw = rawStack("motoko");
    raw["fabric:backends"]["armitage-chat"].image = "docker.io/vllm/vllm-openai:latest";
    expect(paths(raw)).toEqual(["fabric:backends.armitage-chat.image: tag 'latest' floats; pin a version or digest"]);
  });

  it("a provider's key must come from the secrets map", () => {
    const raw = rawStack("motoko");
    raw["fabric:providers"]["openai/strong"].keyEnv = "OPENAI_KEY";
    expect(paths(raw)).toContain("fabric:providers[\"openai/strong\"].keyEnv: 'OPENAI_KEY' is not in fabric:secrets.env");
  });

  it("a Windows backend needs the tailnet range for its firewall rule", () => {
    const raw = rawStack("motoko");
    delete raw["fabric:tailnet"];
    expect(paths(raw)).toContain("fabric:tailnet: required: Windows port proxies admit only the tailnet range");
  });
});

describe("no secret value in plain config", () => {
  it("an SSH key set without --secret is refused", () => {
    const raw = rawStack("akira");
    raw["fabric:sshPrivateKey"] = "whatever";
    expect(paths(raw)).toEqual([
      "fabric:sshPrivateKey: is a secret in plain text: remove it and use `pulumi config set --secret sshPrivateKey`",
    ]);
  });

  it("the same key set with --secret is accepted", () => {
    const raw = rawStack("akira");
    raw["fabric:sshPrivateKey"] = "[secret]";
    expect(() => problemsOf(raw, ["fabric:sshPrivateKey"])).toThrow("expected the config to be rejected");
  });

  it("a token in a backend's environment is refused", () => {
    const raw = rawStack("motoko");
    raw["fabric:backends"]["motoko-embed"].env = { HF_TOKEN: "x" };
    expect(paths(raw)).toEqual(["fabric:backends.motoko-embed.env.HF_TOKEN: a secret in plain config: put it in fabric:secrets.env"]);
  });

  it("an API key pasted anywhere is refused by its shape", () => {
    const raw = rawStack("motoko");
    const fake = `sk-${"a1B2".repeat(8)}`;
    raw["fabric:backends"]["motoko-embed"].extraArgs = ["--served-model-name-suffix", fake];
    expect(paths(raw)[0]).toMatch(/^fabric:backends\.motoko-embed\.extraArgs\[1\]: looks like an API key/);
  });

  it("secretValues set without --secret is refused", () => {
    const raw = rawStack("akira");
    raw["fabric:secrets"] = { source: "config", env: { LITELLM_MASTER_KEY: "litellm-master-key" } };
    raw["fabric:secretValues"] = { LITELLM_MASTER_KEY: "plain" };
    expect(paths(raw)).toEqual([
      "fabric:secretValues: is a secret in plain text: remove it and use `pulumi config set --secret secretValues`",
    ]);
  });
});

describe("findFallbackCycle", () => {
  it("returns undefined for a chain that ends at a provider", () => {
    expect(findFallbackCycle({ a: ["b", "p"], b: ["p"] })).toBeUndefined();
  });
  it("returns the names along a longer cycle", () => {
    expect(findFallbackCycle({ a: ["b"], b: ["c"], c: ["a"] })).toEqual(["a", "b", "c", "a"]);
  });
});

describe("npm run validate", () => {
  it("exits 1 with one line per problem naming the file and key, for a file path", () => {
    const raw = rawStack("akira");
    raw["fabric:roles"]["akira/qwen2.5-7b"].backend = "nowhere";
    raw["fabric:gateways"].akira.port = 70000;
    const file = join(scratch, "Pulumi.broken.yaml");
    writeFileSync(file, stringify({ config: raw }));
    const result = spawnSync(process.execPath, ["--no-warnings", "cli/validate.ts", file], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toContain(`${file}: fabric:gateways.akira.port: Too big: expected number to be <=65535`);
    expect(lines).toContain(`${file}: fabric:roles["akira/qwen2.5-7b"].backend: unknown backend 'nowhere'`);
    for (const line of lines) expect(line.startsWith(`${file}: fabric:`)).toBe(true);
  });

  it("reports a YAML syntax error with the file name", () => {
    const file = join(scratch, "Pulumi.bad.yaml");
    writeFileSync(file, "config:\n  fabric:hosts: [unclosed\n");
    const result = spawnSync(process.execPath, ["--no-warnings", "cli/validate.ts", file], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${file}: cannot be read as YAML`));
  });
});
