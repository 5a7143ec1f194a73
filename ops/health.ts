import type { BackendEndpoint, GatewayEndpoint } from "../components/fabric.ts";
import { probe } from "./http.ts";

export const levels = ["OK", "INFO", "WARNING", "CRITICAL"] as const;
export type Level = (typeof levels)[number];

export interface BackendHealth {
  readonly id: string;
  readonly endpoint: BackendEndpoint;
  readonly up: boolean;
  readonly detail: string;
}
export interface GatewayHealth {
  readonly id: string;
  readonly endpoint: GatewayEndpoint;
  readonly up: boolean;
  readonly detail: string;
}

/**
 * The runbook's alert levels: gateway down CRITICAL; two or more backends down WARNING;
 * embeddings down WARNING (motoko is always on); one chat backend down INFO (workstations
 * may be off).
 */
export function healthLevel(gateways: readonly GatewayHealth[], backends: readonly BackendHealth[]): Level {
  const down = backends.filter((b) => !b.up);
  if (gateways.some((g) => !g.up)) return "CRITICAL";
  if (down.length >= 2) return "WARNING";
  if (down.some((b) => b.endpoint.task === "embed")) return "WARNING";
  if (down.length === 1) return "INFO";
  return "OK";
}

export async function checkBackend(id: string, endpoint: BackendEndpoint, timeoutMs: number): Promise<BackendHealth> {
  const health = await probe(`${endpoint.url}/health`, { timeoutMs });
  if (!health.ok) {
    const why = health.error ?? `HTTP ${health.status}`;
    return { id, endpoint, up: false, detail: endpoint.optional ? `down (${why}; optional host, may be off)` : `down (${why})` };
  }
  const models = await probe(`${endpoint.url}/v1/models`, { timeoutMs });
  const served = models.ok ? ((JSON.parse(models.body) as { data?: { id: string }[] }).data ?? []).map((m) => m.id) : [];
  if (!served.includes(endpoint.servedName)) {
    return { id, endpoint, up: false, detail: `serves [${served.join(", ")}], expected ${endpoint.servedName}` };
  }
  return { id, endpoint, up: true, detail: `${endpoint.servedName} in ${health.ms} ms` };
}

export async function checkGateway(id: string, endpoint: GatewayEndpoint, timeoutMs: number): Promise<GatewayHealth> {
  const base = endpoint.url.replace(/\/v1$/, "");
  const ready = await probe(`${base}/health/readiness`, { timeoutMs });
  return {
    id,
    endpoint,
    up: ready.ok,
    detail: ready.ok ? `ready in ${ready.ms} ms` : `not ready (${ready.error ?? `HTTP ${ready.status}`})`,
  };
}
