import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderEnvFile } from "../../render/env-file.ts";
import { gatewayCorsEnv, liteLlmConfig } from "../../render/litellm.ts";
import { fabricHeader } from "../../render/steps.ts";
import { renderedArtifacts } from "../support/rendered.ts";
import { allStacks, loadOk, pinnedStack, rawStack } from "../support/stacks.ts";

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq2bmVyLXVzZWQtaW4tYS10ZXN0LW9ubHktcGxhY2Vob2xk";

describe.each(allStacks)("what the %s stack renders", (stack) => {
  const config = pinnedStack(stack, hostKey);
  for (const artifact of renderedArtifacts(config)) {
    it(`${artifact.name} matches its reviewed snapshot`, async () => {
      await expect(artifact.text).toMatchFileSnapshot(`__snapshots__/${stack}/${artifact.name}`);
    });
  }
});

describe("the LiteLLM config", () => {
  const motoko = pinnedStack("motoko", hostKey);

  it("routes each role to hosted_vllm/<served-name> at an api_base ending in /v1", () => {
    const cfg = liteLlmConfig(motoko, "motoko") as { model_list: { model_name: string; litellm_params: Record<string, string> }[] };
    const byName = Object.fromEntries(cfg.model_list.map((m) => [m.model_name, m.litellm_params]));
    expect(byName["chat-fast"]).toMatchObject({
      model: "hosted_vllm/qwen2.5-7b-awq",
      api_base: "http://armitage.pangolin-vega.ts.net:8000/v1",
    });
    expect(byName["embeddings-general"]).toMatchObject({ model: "hosted_vllm/bge-base-en-v1.5", api_base: "http://127.0.0.1:8200/v1" });
    expect(byName["openai/strong"]).toMatchObject({ model: "openai/gpt-4o", api_key: "os.environ/OPENAI_API_KEY" });
  });

  it("keeps the configured fallback order and drops a disabled provider from every chain", () => {
    const raw = rawStack("motoko");
    raw["fabric:providers"]["openai/strong"].enabled = false;
    const off = liteLlmConfig(loadOk(raw), "motoko") as {
      litellm_settings: { fallbacks: unknown[] };
      model_list: { model_name: string }[];
    };
    expect((liteLlmConfig(motoko, "motoko") as { litellm_settings: { fallbacks: unknown[] } }).litellm_settings.fallbacks).toEqual([
      { "chat-deep": ["openai/strong"] },
      { "local/reasoner": ["openai/strong"] },
      { "chat-fast": ["chat-deep", "openai/strong"] },
      { "local/chat": ["chat-deep", "openai/strong"] },
    ]);
    expect(off.litellm_settings.fallbacks).toEqual([{ "chat-fast": ["chat-deep"] }, { "local/chat": ["chat-deep"] }]);
    expect(off.model_list.map((m) => m.model_name)).not.toContain("openai/strong");
  });

  it("does not change when the order of hosts, roles or served models changes", () => {
    const raw = rawStack("motoko");
    const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
    raw["fabric:hosts"] = reversed(raw["fabric:hosts"]);
    raw["fabric:roles"] = reversed(raw["fabric:roles"]);
    raw["fabric:backends"] = reversed(raw["fabric:backends"]);
    raw["fabric:gateways"].motoko.models.reverse();
    expect(liteLlmConfig(loadOk(raw), "motoko")).toEqual(liteLlmConfig(loadOk(rawStack("motoko")), "motoko"));
  });

  it("writes cache, rate limits, metrics and the master key where LiteLLM reads them", () => {
    const raw = rawStack("motoko");
    Object.assign(raw["fabric:gateways"].motoko, {
      cache: { enabled: true, ttlSeconds: 600, redis: { image: "docker.io/library/redis:7.2.5", passwordEnv: "REDIS_PASSWORD" } },
      rateLimits: { "chat-fast": { rpm: 100, tpm: 50000 } },
      corsOrigins: ["https://app.example"],
      metrics: true,
    });
    raw["fabric:secrets"].env.REDIS_PASSWORD = "redis-password";
    const cfg = parse(JSON.stringify(liteLlmConfig(loadOk(raw), "motoko")));
    expect(cfg.litellm_settings).toMatchObject({
      cache: true,
      cache_params: { type: "redis", host: "127.0.0.1", port: 6379, password: "os.environ/REDIS_PASSWORD", ttl: 600 },
      callbacks: ["prometheus"],
    });
    expect(cfg.model_list.find((m: { model_name: string }) => m.model_name === "chat-fast").litellm_params).toMatchObject({
      rpm: 100,
      tpm: 50000,
    });
    expect(cfg.general_settings).toEqual({ master_key: "os.environ/LITELLM_MASTER_KEY" });
  });
});

describe("the env file", () => {
  it("refuses a value with a line break instead of writing a second variable", () => {
    expect(() => renderEnvFile({ A: "x\nB=y" })).toThrow("the value of A contains a line break or NUL");
  });
  it("is sorted and deterministic", () => {
    expect(renderEnvFile({ B: "2", A: "1" })).toBe(renderEnvFile({ A: "1", B: "2" }));
  });
});

describe("CORS", () => {
  const akira = pinnedStack("akira", hostKey);
  it("passes the configured origins in LITELLM_CORS_ORIGINS, where the pinned LiteLLM reads them", () => {
    const raw = rawStack("akira");
    raw["fabric:gateways"].akira.corsOrigins = ["https://a.example", "http://localhost:3000"];
    const gateway = loadOk(raw).gateways.akira;
    expect(gateway && gatewayCorsEnv(gateway, "akira")).toBe("LITELLM_CORS_ORIGINS=https://a.example,http://localhost:3000");
  });
  it("admits only the gateway's own origin when none is configured (LiteLLM's default is every origin)", () => {
    const gateway = akira.gateways.akira;
    expect(gateway && gatewayCorsEnv(gateway, "akira.pangolin-vega.ts.net")).toBe(
      "LITELLM_CORS_ORIGINS=http://akira.pangolin-vega.ts.net:4000",
    );
  });
});

describe("files fabric writes", () => {
  it("all start with the header that tells fabric's own files from the originals it keeps", () => {
    const files = allStacks
      .flatMap((stack) => renderedArtifacts(pinnedStack(stack, hostKey)))
      .filter((a) => ["service", "yaml", "env"].includes(a.kind));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(f.text.startsWith(fabricHeader), f.name).toBe(true);
  });
});
