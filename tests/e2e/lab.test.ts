import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FabricConfig } from "../../config/load.ts";
import { gatewayModelNames, gatewayModels } from "../../render/litellm.ts";
import { commandsRun, converge, type Lab, planSteps, readLab, ssh, withLabHostKeys } from "../support/lab.ts";
import { setFabricMocks } from "../support/mocks.ts";
import { loadOk, rawStack } from "../support/stacks.ts";

/**
 * The real Pulumi engine (scripts/pulumi-engine.sh) converging the lab stack on the lab's
 * hosts: network namespaces with their own sshd, podman, systemctl and firewalld, and
 * simulated Windows workstations. Every assertion reads the hosts or asks the gateways.
 */

let lab: Lab;
let config: FabricConfig;
let masterKey: string;
let openaiKey: string;

function stack(...args: string[]): { code: number; out: string } {
  const r = spawnSync("lab/stack.sh", args, { encoding: "utf8", timeout: 900_000 });
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}
const up = () => stack("up", "--yes", "--skip-preview", "--non-interactive");
const totalCommands = () => Object.keys(lab.hosts).reduce((n, h) => n + commandsRun(lab, h).length, 0);
const onHost = async (host: string, command: string) => (await ssh(lab, host, command)).stdout.trim();

async function chat(host: string, port: number, model: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://${lab.hosts[host]?.address}:${port}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${masterKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: `e2e ${Date.now()} ${Math.random()}` }], max_tokens: 8 }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
  return { status: res.status, text: body.choices?.[0]?.message.content ?? body.error?.message ?? "" };
}

beforeAll(() => {
  const found = readLab();
  if (found === undefined) throw new Error("the lab is not up: lab/up.sh (the e2e global setup starts it)");
  lab = found;
  config = withLabHostKeys(loadOk(rawStack("lab")), lab);
  // Start from nothing, whatever an earlier run left.
  expect(stack("destroy", "--yes", "--skip-preview", "--non-interactive").code).toBe(0);
  masterKey = stack("config", "get", "--path", "secretValues.LITELLM_MASTER_KEY").out.trim();
  openaiKey = stack("config", "get", "--path", "secretValues.OPENAI_API_KEY").out.trim();
});

describe("pulumi up of the lab stack on the lab hosts", () => {
  it("a cold up converges every host", () => {
    const r = up();
    expect(r.code, r.out.slice(-3000)).toBe(0);
    expect(r.out).toMatch(/\+ 5\d created/);
  });

  it("each gateway lists every role and alias, and demands its key", async () => {
    for (const g of Object.values(config.gateways)) {
      const base = `http://${lab.hosts[g.host]?.address}:${g.port}`;
      const res = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${masterKey}` } });
      expect(res.status).toBe(200);
      const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
      expect(ids).toEqual(gatewayModelNames(gatewayModels(config, g)).sort());
      expect((await fetch(`${base}/v1/models`)).status).toBe(401);
    }
  });

  it("a chat per role reaches the backend that serves it, Windows hosts through their port proxy", async () => {
    for (const [role, r] of Object.entries(config.roles)) {
      const backend = config.backends[r.backend];
      const gateway = Object.values(config.gateways).find((g) => g.models.includes(role));
      if (backend?.task !== "chat" || gateway === undefined) continue;
      const answer = await chat(gateway.host, gateway.port, role);
      expect(answer.status, `${role}: ${answer.text}`).toBe(200);
      expect(answer.text).toContain(`model ${backend.servedName}:`);
    }
    const proxy = readFileSync(`${lab.hosts.armitage?.windowsStateDir}/portproxy.json`, "utf8");
    expect(proxy).toContain("8000");
  });

  it("a second up changes nothing and runs no remote command", () => {
    const before = totalCommands();
    const r = up();
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(r.out).toMatch(/\b5\d unchanged/);
    expect(totalCommands()).toBe(before);
  });

  it("one change updates only the gateway's config and restarts it once", async () => {
    const startedAt = () => onHost("motoko", "podman inspect -f '{{.State.StartedAt}}' litellm");
    const before = await startedAt();
    expect(stack("config", "set", "--path", "fabric:gateways.motoko.routingStrategy", "least-busy").code).toBe(0);
    try {
      const r = up();
      expect(r.code, r.out.slice(-2000)).toBe(0);
      expect(r.out).toMatch(/~ 1 updated/);
      expect(r.out).toMatch(/gateway-motoko-apply/);
      expect(await startedAt()).not.toBe(before);
      expect(await onHost("motoko", "grep -c 'routing_strategy: least-busy' /podman/apps/litellm/config.yaml")).toBe("1");
    } finally {
      stack("config", "set", "--path", "fabric:gateways.motoko.routingStrategy", "simple-shuffle");
      expect(up().code).toBe(0);
    }
  });

  it("keeps secrets out of state, command lines and every file but .env (0600) and the ask-cli settings", async () => {
    const exported = stack("stack", "export").out;
    for (const v of [masterKey, openaiKey]) {
      expect(v.length).toBeGreaterThan(20);
      expect(exported.includes(v)).toBe(false);
      for (const host of Object.keys(lab.hosts)) expect(commandsRun(lab, host).join("\n").includes(v), host).toBe(false);
    }
    expect(await onHost("motoko", "stat -c '%a %U' /podman/apps/litellm/.env")).toBe("600 root");
    const holders = await onHost("akira", `grep -rlF -- '${masterKey}' /flux /etc/systemd/system /etc/ask-cli 2>/dev/null || true`);
    expect(holders.split("\n").sort()).toEqual(["/etc/ask-cli/env", "/flux/apps/litellm/.env"]);
    expect(await onHost("akira", "stat -c '%a' /etc/ask-cli/env")).toBe("600");
  });

  it("the gateway port answers from the tailnet range and not from outside it", async () => {
    expect((await fetch(`http://${lab.hosts.akira?.address}:4000/health/liveliness`)).status).toBe(200);
    const outsider = spawnSync(
      "nsenter",
      [
        `--net=/var/run/netns/${lab.outsider.netns}`,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "3",
        `http://${lab.hosts.akira?.address}:4000/health/liveliness`,
      ],
      { encoding: "utf8" },
    );
    expect(outsider.stdout).toBe("000");
  });

  it("a gateway config that fails readiness is put back, and the step fails with the gateway's words", async () => {
    // The program's own apply step (planned under mocks), fed a config LiteLLM rejects.
    setFabricMocks("lab");
    const steps = await planSteps(config, { LITELLM_MASTER_KEY: masterKey, OPENAI_API_KEY: openaiKey }, "fabric-gated");
    const apply = steps.find((s) => s.name === "gateway-akira-apply");
    if (apply === undefined) throw new Error("no akira apply step");
    const [result] = await converge(lab, [{ ...apply, stdin: "model_list: [this is not a model list\n" }]);
    expect(result?.code).toBe(1);
    expect(result?.stderr).toContain("was not ready within");
    expect(result?.stderr).not.toContain(masterKey);
    expect(await onHost("akira", "cat /flux/apps/litellm/config.yaml")).toBe((apply.stdin ?? "").trim());
    expect(await onHost("akira", "test -e /flux/apps/litellm/config.yaml.next && echo staged")).toBe("staged");
    expect((await chat("akira", 4000, "default")).status).toBe(200);
    expect((await converge(lab, [apply]))[0]?.code).toBe(0);
    expect(await onHost("akira", "test -e /flux/apps/litellm/config.yaml.next && echo staged || echo clear")).toBe("clear");
  });

  it("a wrong pinned host key: the connection is refused", () => {
    const other = lab.hosts.motoko?.hostKey ?? "";
    const result = spawnSync(
      "ssh",
      [
        "-i",
        lab.sshPrivateKeyAbsPath,
        "-o",
        "UserKnownHostsFile=/dev/stdin",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=5",
        `root@${lab.hosts.akira?.address}`,
        "true",
      ],
      { input: `${lab.hosts.akira?.address} ${other}\n`, encoding: "utf8" },
    );
    expect(result.status).toBe(255);
    expect(result.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it("destroy removes what fabric made and leaves the hosts as they were", async () => {
    const r = stack("destroy", "--yes", "--skip-preview", "--non-interactive");
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(await onHost("akira", "ls -A /flux/apps/litellm 2>/dev/null | wc -l")).toBe("0");
    expect(await onHost("akira", "ls /etc/systemd/system | grep -c -E '^(litellm|vllm)' || true")).toBe("0");
    expect(await onHost("akira", "firewall-cmd --permanent --list-rich-rules")).toBe("");
    expect(await onHost("motoko", "podman ps -q | wc -l")).toBe("0");
  });
});

afterAll(() => {
  // Leave no fabric container behind even when a test failed half-way.
  for (const host of ["motoko", "akira", "wintermute", "armitage"]) {
    try {
      execFileSync("lab/exec.sh", [host, "podman", "rm", "-f", "--all"], { stdio: "ignore", timeout: 60_000 });
    } catch {
      // the lab's own tear-down removes them too
    }
  }
});
