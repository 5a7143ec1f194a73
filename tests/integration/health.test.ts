import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendEndpoint, GatewayEndpoint } from "../../components/fabric.ts";
import { renderLiteLlmConfig } from "../../render/litellm.ts";
import { generatedSecrets, testHostKey } from "../support/mocks.ts";
import { type Running, startLiteLlm, startStandin } from "../support/processes.ts";
import { pinnedStack } from "../support/stacks.ts";

/**
 * `npm run health` (check_vllm_backends.sh, replaced) against the real LiteLLM proxy and
 * stand-ins on loopback, stopping them one by one: the runbook's levels and exit codes.
 */
const config = pinnedStack("motoko", testHostKey);
const dir = mkdtempSync(join(tmpdir(), "fabric-health-"));
const outputsFile = join(dir, "outputs.json");
const backends = new Map<string, Running>();
let gateway: Running;

function health(): { code: number; report: { level: string; backends: { id: string; up: boolean; detail: string }[] } } {
  const r = spawnSync(
    process.execPath,
    ["--no-warnings", "cli/health.ts", "motoko", "--json", "--outputs", outputsFile, "--timeout", "2000"],
    {
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { code: r.status ?? -1, report: JSON.parse(r.stdout) };
}

beforeAll(async () => {
  for (const [id, b] of Object.entries(config.backends)) backends.set(id, await startStandin(id, b.servedName));
  const provider = await startStandin("openai/strong", "gpt-4o");
  backends.set("openai", provider);
  const yaml = renderLiteLlmConfig(config, "motoko", {
    apiBaseFor: (id) => `${backends.get(id)?.url}/v1`,
    providerApiBaseFor: () => `${provider.url}/v1`,
  });
  gateway = await startLiteLlm(yaml, generatedSecrets(Object.keys(config.secrets.env)));
  const outputs: { gateways: Record<string, GatewayEndpoint>; backends: Record<string, BackendEndpoint> } = {
    gateways: { motoko: { host: "motoko", url: `${gateway.url}/v1`, readinessUrl: "", models: [] } },
    backends: Object.fromEntries(
      Object.entries(config.backends).map(([id, b]) => [
        id,
        {
          host: b.host,
          url: backends.get(id)?.url ?? "",
          servedName: b.servedName,
          task: b.task,
          optional: config.hosts[b.host]?.optional ?? false,
          containerName: id,
        },
      ]),
    ),
  };
  writeFileSync(outputsFile, JSON.stringify(outputs));
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([...backends.values()].map((b) => b.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run health", () => {
  it("everything up: OK, exit 0", () => {
    const { code, report } = health();
    expect(report.level).toBe("OK");
    expect(code).toBe(0);
  });

  it("a workstation off (one chat backend): INFO, exit 1, reported as optional", async () => {
    await backends.get("armitage-chat")?.stop();
    const { code, report } = health();
    expect(report.level).toBe("INFO");
    expect(code).toBe(1);
    expect(report.backends.find((b) => b.id === "armitage-chat")?.detail).toMatch(/optional host, may be off/);
  });

  it("two backends down: WARNING, exit 2", async () => {
    await backends.get("wintermute-chat")?.stop();
    const { code, report } = health();
    expect(report.level).toBe("WARNING");
    expect(code).toBe(2);
  });

  it("the gateway down: CRITICAL, exit 3", async () => {
    await gateway.stop();
    const { code, report } = health();
    expect(report.level).toBe("CRITICAL");
    expect(code).toBe(3);
  });
});
