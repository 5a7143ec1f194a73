import type { GatewayEndpoint } from "../components/fabric.ts";
import { probe } from "./http.ts";

export interface SmokeCall {
  readonly check: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
}

export interface SmokeOptions {
  readonly apiKey?: string;
  readonly timeoutMs: number;
  /** Which served names are embeddings models (they get an embeddings call, not a chat). */
  readonly embeddings: ReadonlySet<string>;
  /** A model with fallbacks, for the forced-fallback call. */
  readonly fallbackModel?: string;
}

/**
 * The smoke test the runbooks ran by hand, through the gateway: the models list, one chat per
 * role and alias, one embedding, and a forced fallback (LiteLLM's `mock_testing_fallbacks`).
 */
export async function smokeGateway(gateway: GatewayEndpoint, options: SmokeOptions): Promise<SmokeCall[]> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
  const post = (path: string, body: unknown) =>
    probe(`${gateway.url}${path}`, { method: "POST", headers, body: JSON.stringify(body), timeoutMs: options.timeoutMs });
  const calls: SmokeCall[] = [];

  const list = await probe(`${gateway.url}/models`, { headers, timeoutMs: options.timeoutMs });
  const listed = list.ok ? ((JSON.parse(list.body) as { data?: { id: string }[] }).data ?? []).map((m) => m.id) : [];
  const missing = gateway.models.filter((m) => !listed.includes(m));
  calls.push({
    check: "models list",
    ok: list.ok && missing.length === 0,
    ms: list.ms,
    detail: !list.ok
      ? `HTTP ${list.status || list.error}`
      : missing.length > 0
        ? `missing ${missing.join(", ")}`
        : `${listed.length} models`,
  });

  for (const model of gateway.models) {
    if (options.embeddings.has(model)) {
      const r = await post("/embeddings", { model, input: "fabric smoke test" });
      const dims = r.ok ? ((JSON.parse(r.body) as { data?: { embedding: number[] }[] }).data?.[0]?.embedding.length ?? 0) : 0;
      calls.push({
        check: `embeddings ${model}`,
        ok: r.ok && dims > 0,
        ms: r.ms,
        detail: r.ok ? `${dims} dimensions` : `HTTP ${r.status || r.error}`,
      });
    } else {
      const r = await post("/chat/completions", { model, messages: [{ role: "user", content: "fabric smoke test" }], max_tokens: 8 });
      const answer = r.ok
        ? ((JSON.parse(r.body) as { choices?: { message?: { content?: string } }[] }).choices?.[0]?.message?.content ?? "")
        : "";
      calls.push({
        check: `chat ${model}`,
        ok: r.ok,
        ms: r.ms,
        detail: r.ok ? answer.slice(0, 60) : `HTTP ${r.status || r.error} ${r.body.slice(0, 120)}`,
      });
    }
  }

  if (options.fallbackModel !== undefined) {
    const r = await post("/chat/completions", {
      model: options.fallbackModel,
      messages: [{ role: "user", content: "fabric smoke test: fallback" }],
      max_tokens: 8,
      mock_testing_fallbacks: true,
    });
    calls.push({
      check: `fallback from ${options.fallbackModel}`,
      ok: r.ok,
      ms: r.ms,
      detail: r.ok ? "served by a fallback" : `HTTP ${r.status || r.error}`,
    });
  }
  return calls;
}
