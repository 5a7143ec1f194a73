import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { FabricConfig } from "../../config/load.ts";
import { gatewayCorsEnv, gatewayModelNames, gatewayModels, renderLiteLlmConfig } from "../../render/litellm.ts";
import { generatedSecrets, testHostKey } from "../support/mocks.ts";
import { type Running, startLiteLlm, startRedis, startStandin } from "../support/processes.ts";
import { loadOk, pinnedStack, rawStack } from "../support/stacks.ts";

/**
 * The rendered config run by the pinned real LiteLLM proxy, in front of vLLM stand-ins on
 * loopback that name themselves in every answer (the provider is a stand-in too).
 */
interface Fabric {
  readonly config: FabricConfig;
  readonly gatewayId: string;
  readonly backends: Map<string, Running>;
  readonly providers: Map<string, Running>;
  readonly secrets: Record<string, string>;
  readonly proxy: Running;
  stop(): Promise<void>;
}

async function startFabric(config: FabricConfig, gatewayId: string, extraEnv: Record<string, string> = {}): Promise<Fabric> {
  const gateway = config.gateways[gatewayId];
  if (gateway === undefined) throw new Error(`no gateway ${gatewayId}`);
  const backends = new Map<string, Running>();
  const providers = new Map<string, Running>();
  const models = gatewayModels(config, gateway);
  for (const role of models.roles) {
    const id = config.roles[role]?.backend ?? "";
    const b = config.backends[id];
    if (b !== undefined && !backends.has(id)) backends.set(id, await startStandin(id, b.servedName));
  }
  for (const name of models.providers) {
    const p = config.providers[name];
    if (p !== undefined) providers.set(name, await startStandin(name, p.model));
  }
  const yaml = renderLiteLlmConfig(config, gatewayId, {
    apiBaseFor: (id) => `${backends.get(id)?.url}/v1`,
    providerApiBaseFor: (name) => `${providers.get(name)?.url}/v1`,
  });
  const secrets = generatedSecrets(Object.keys(config.secrets.env));
  const [corsName = "", corsValue = ""] = gatewayCorsEnv(gateway, "127.0.0.1").split(/=(.*)/s);
  const proxy = await startLiteLlm(yaml, { ...secrets, [corsName]: corsValue, ...extraEnv });
  return {
    config,
    gatewayId,
    backends,
    providers,
    secrets,
    proxy,
    stop: async () => {
      await proxy.stop();
      await Promise.all([...backends.values(), ...providers.values()].map((r) => r.stop()));
    },
  };
}

const auth = (f: Fabric) => ({ authorization: `Bearer ${f.secrets.LITELLM_MASTER_KEY}`, "content-type": "application/json" });

async function chat(f: Fabric, model: string, content: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${f.proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: auth(f),
    body: JSON.stringify({ model, messages: [{ role: "user", content }], max_tokens: 16 }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
  return { status: res.status, text: body.choices?.[0]?.message.content ?? body.error?.message ?? "", headers: res.headers };
}

let unique = 0;
/** A prompt never sent before, so no cache can answer it. */
const fresh = (what: string) => `${what} #${++unique} ${Date.now()}`;

describe.each(["motoko", "akira"] as const)("the %s gateway config on the real LiteLLM proxy", (stack) => {
  const config = pinnedStack(stack, testHostKey);
  const gatewayId = Object.keys(config.gateways)[0] ?? "";
  const gateway = config.gateways[gatewayId];
  if (gateway === undefined) throw new Error(`no gateway in ${stack}`);
  let f: Fabric;
  beforeAll(async () => {
    f = await startFabric(config, gatewayId);
  });
  afterAll(async () => {
    await f?.stop();
  });

  it("lists exactly the configured roles, aliases and external models", async () => {
    const res = await fetch(`${f.proxy.url}/v1/models`, { headers: auth(f) });
    const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids.sort()).toEqual(gatewayModelNames(gatewayModels(config, gateway)).sort());
  });

  it("sends each chat role and alias to its own backend", async () => {
    const models = gatewayModels(config, gateway);
    const names = [...models.roles, ...Object.keys(models.aliases)];
    for (const name of names) {
      const role = config.roles[name] === undefined ? (models.aliases[name] ?? "") : name;
      const backendId = config.roles[role]?.backend ?? "";
      const backend = config.backends[backendId];
      if (backend?.task !== "chat") continue;
      const answer = await chat(f, name, fresh("route"));
      expect(answer.status, `${name}: ${answer.text}`).toBe(200);
      expect(answer.text).toMatch(new RegExp(`^standin ${backendId} model ${backend.servedName.replace(/\./g, "\\.")}: `));
    }
  });

  it("demands the master key, and answers liveliness without it", async () => {
    expect((await fetch(`${f.proxy.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${f.proxy.url}/v1/models`, { headers: auth(f) })).status).toBe(200);
    expect((await fetch(`${f.proxy.url}/health/liveliness`)).status).toBe(200);
  });
});

describe("the motoko roles under failure, on the real LiteLLM proxy", () => {
  let f: Fabric;
  beforeAll(async () => {
    f = await startFabric(pinnedStack("motoko", testHostKey), "motoko");
  });
  afterAll(async () => {
    await f?.stop();
  });

  it("returns the stand-in's own vectors for embeddings-general and its alias", async () => {
    const direct = await fetch(`${f.backends.get("motoko-embed")?.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "bge-base-en-v1.5", input: "fabric" }),
    });
    const want = ((await direct.json()) as { data: { embedding: number[] }[] }).data[0]?.embedding;
    for (const model of ["embeddings-general", "local/embed"]) {
      const res = await fetch(`${f.proxy.url}/v1/embeddings`, {
        method: "POST",
        headers: auth(f),
        body: JSON.stringify({ model, input: "fabric" }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { embedding: number[] }[] }).data[0]?.embedding).toEqual(want);
    }
  });

  it("falls back in the configured order: chat-fast → chat-deep → openai/strong, for the alias too", async () => {
    await f.backends.get("armitage-chat")?.stop();
    for (const model of ["chat-fast", "local/chat"]) {
      const answer = await chat(f, model, fresh("fallback one"));
      expect(answer.status, answer.text).toBe(200);
      expect(answer.text).toMatch(/^standin wintermute-chat model llama-3-8b-awq: /);
    }
    await f.backends.get("wintermute-chat")?.stop();
    for (const model of ["chat-fast", "local/chat", "chat-deep", "local/reasoner"]) {
      const answer = await chat(f, model, fresh("fallback two"));
      expect(answer.status, answer.text).toBe(200);
      expect(answer.text).toMatch(/^standin openai\/strong model gpt-4o: /);
    }
  });
});

describe("gateway settings on the real LiteLLM proxy", () => {
  let f: Fabric;
  let redis: Running;
  beforeAll(async () => {
    const raw = rawStack("akira");
    for (const host of Object.values(raw["fabric:hosts"] as Record<string, { hostKey?: string }>)) host.hostKey = testHostKey;
    raw["fabric:secrets"].env.REDIS_PASSWORD = "redis-password";
    Object.assign(raw["fabric:gateways"].akira, {
      rateLimits: { "akira/qwen2.5-7b": { rpm: 3 } },
      corsOrigins: ["https://ask.example"],
    });
    const base = loadOk(raw);
    // The Redis port is only known once it runs: start it, then render with it.
    const password = generatedSecrets(["REDIS_PASSWORD"]).REDIS_PASSWORD ?? "";
    redis = await startRedis(password);
    const withCache = structuredClone(base);
    const gw = withCache.gateways.akira;
    if (gw === undefined) throw new Error("no akira gateway");
    gw.cache = {
      enabled: true,
      ttlSeconds: 600,
      redis: { image: "docker.io/library/redis:7.2.5", port: redis.port, passwordEnv: "REDIS_PASSWORD" },
    };
    f = await startFabric(withCache, "akira", { REDIS_PASSWORD: password });
  });
  afterAll(async () => {
    await f?.stop();
    await redis?.stop();
  });

  it("answers a repeated identical request from the Redis cache", async () => {
    const backend = f.backends.get("akira-qwen");
    const stats = async () => ((await (await fetch(`${backend?.url}/standin/stats`)).json()) as { chat: number }).chat;
    const prompt = fresh("cache me");
    const first = await chat(f, "default", prompt);
    const before = await stats();
    const second = await chat(f, "default", prompt);
    expect(first.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(await stats()).toBe(before);
    expect(second.headers.get("x-litellm-cache-key")).toBeTruthy();
  });

  it("answers CORS preflights for the configured origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${f.proxy.url}/v1/chat/completions`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    const allowed = await preflight("https://ask.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://ask.example");
    const denied = await preflight("https://elsewhere.example");
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("enforces the rpm limit of a role: the request past it is refused with 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat(f, "akira/qwen2.5-7b", fresh("rpm"))).status);
    // The cache test above already spent one request of this minute on the same deployment.
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
    expect(statuses).toContain(429);
  });
});

describe("a broken config never reaches LiteLLM", () => {
  it("an alias whose role points at a missing backend is rejected by npm run validate", () => {
    const raw = rawStack("motoko");
    raw["fabric:roles"]["chat-fast"].backend = "retired-backend";
    const dir = mkdtempSync(join(tmpdir(), "fabric-broken-"));
    try {
      const file = join(dir, "Pulumi.broken.yaml");
      writeFileSync(file, stringify({ config: raw }));
      const result = spawnSync(process.execPath, ["--no-warnings", "cli/validate.ts", file], { encoding: "utf8" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`${file}: fabric:roles.chat-fast.backend: unknown backend 'retired-backend'`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
