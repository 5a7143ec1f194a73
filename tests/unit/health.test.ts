import { describe, expect, it } from "vitest";
import type { BackendEndpoint } from "../../components/fabric.ts";
import { type BackendHealth, type GatewayHealth, healthLevel } from "../../ops/health.ts";

const gateway = (up: boolean): GatewayHealth => ({
  id: "motoko",
  up,
  detail: "",
  endpoint: { host: "motoko", url: "http://motoko:8000/v1", readinessUrl: "", models: [] },
});
const backend = (id: string, task: BackendEndpoint["task"], up: boolean): BackendHealth => ({
  id,
  up,
  detail: "",
  endpoint: { host: id, url: `http://${id}:8000`, servedName: id, task, optional: task === "chat", containerName: id },
});

describe("health levels (the runbook's alerting thresholds)", () => {
  const embed = (up: boolean) => backend("motoko-embed", "embed", up);
  const fast = (up: boolean) => backend("armitage-chat", "chat", up);
  const deep = (up: boolean) => backend("wintermute-chat", "chat", up);
  it.each([
    ["everything up", true, [embed(true), fast(true), deep(true)], "OK"],
    ["one chat backend down (a workstation off)", true, [embed(true), fast(false), deep(true)], "INFO"],
    ["embeddings down", true, [embed(false), fast(true), deep(true)], "WARNING"],
    ["two backends down", true, [embed(true), fast(false), deep(false)], "WARNING"],
    ["gateway down, backends up", false, [embed(true), fast(true), deep(true)], "CRITICAL"],
  ] as const)("%s → %s", (_, gatewayUp, backends, level) => {
    expect(healthLevel([gateway(gatewayUp)], [...backends])).toBe(level);
  });
});
