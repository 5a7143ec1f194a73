import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { FabricConfig } from "../../config/load.ts";
import { type Captured, recorder, resolve } from "./mocks.ts";

/** What lab/up.sh wrote: the lab hosts, their pinned keys, the client key. */
export interface Lab {
  readonly hosts: Record<
    string,
    {
      address: string;
      port: number;
      sshUser: string;
      hostKey: string;
      os: string;
      stateDir: string;
      commandsLog: string;
      windowsStateDir?: string;
    }
  >;
  readonly outsider: { address: string; netns: string };
  readonly sshPrivateKeyAbsPath: string;
}

export const labFile = ".lab/lab.json";

export function readLab(): Lab | undefined {
  return existsSync(labFile) ? (JSON.parse(readFileSync(labFile, "utf8")) as Lab) : undefined;
}

/** The lab stack's config with the host keys the lab generated pinned in. */
export function withLabHostKeys(config: FabricConfig, lab: Lab): FabricConfig {
  const pinned = structuredClone(config);
  for (const [name, host] of Object.entries(pinned.hosts)) {
    const key = lab.hosts[name]?.hostKey;
    if (key !== undefined) host.hostKey = key;
  }
  return pinned;
}

/** One remote step of the program, as `@pulumi/command` would run it. */
export interface Step {
  readonly name: string;
  readonly host: string;
  readonly create: string;
  readonly delete: string | undefined;
  readonly stdin: string | undefined;
  readonly dependsOn: readonly string[];
}

/**
 * The program's remote steps for a config, with every input resolved: built under Pulumi's
 * mocks (setMocks must have been called), so these are exactly the commands, content and
 * ordering a `pulumi up` would hand to the command provider.
 */
export async function planSteps(config: FabricConfig, secretValues: Record<string, string>, name: string): Promise<Step[]> {
  const { Fabric } = await import("../../components/fabric.ts");
  const { resources, transformation } = recorder();
  new Fabric(name, { config, secretValues: pulumi.secret(secretValues) }, { transformations: [transformation] });
  await Promise.all(resources.map((r) => resolve(r.props as pulumi.Inputs)));
  const byName = new Map(resources.map((r) => [r.name, r]));
  const hostOf = (r: Captured | undefined): string => {
    if (r === undefined) return "";
    if (r.type === "fabric:host:Host") return r.name.replace(/^host-/, "");
    return hostOf(r.parent === undefined ? undefined : byName.get(r.parent));
  };
  const steps: Step[] = [];
  for (const r of resources.filter((x) => x.type === "command:remote:Command")) {
    const props = (await resolve(r.props as pulumi.Inputs)) as Record<string, unknown>;
    steps.push({
      name: r.name,
      host: hostOf(r),
      create: String(props.create),
      delete: props.delete === undefined ? undefined : String(props.delete),
      stdin: props.stdin === undefined ? undefined : String(props.stdin),
      dependsOn: r.dependsOn,
    });
  }
  return steps;
}

export interface StepResult {
  readonly step: string;
  readonly host: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let knownHosts: string | undefined;

/** Runs one command on a lab host over SSH, refusing any host key but the pinned one. */
export function ssh(
  lab: Lab,
  host: string,
  command: string,
  stdin?: string,
  timeoutMs = 300_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const h = lab.hosts[host];
  if (h === undefined) throw new Error(`no lab host ${host}`);
  if (knownHosts === undefined) {
    knownHosts = join(mkdtempSync(join(tmpdir(), "fabric-known-")), "known_hosts");
    writeFileSync(
      knownHosts,
      Object.values(lab.hosts)
        .map((x) => `${x.address} ${x.hostKey}`)
        .join("\n") + "\n",
    );
  }
  const args = [
    "-i",
    lab.sshPrivateKeyAbsPath,
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=5",
    "-o",
    "LogLevel=ERROR",
    "-p",
    String(h.port),
    `${h.sshUser}@${h.address}`,
    command,
  ];
  return new Promise((done) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code: code ?? 255, stdout, stderr });
    });
    child.stdin.end(stdin ?? "");
  });
}

/**
 * Runs the steps the way the engine schedules them: hosts in parallel, each step after what it
 * depends on; a failed step stops its dependents (and only them).
 */
export async function converge(lab: Lab, steps: readonly Step[], which: "create" | "delete" = "create"): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const done = new Map<string, Promise<boolean>>();
  const byName = new Map(steps.map((s) => [s.name, s]));
  // For delete, a step waits for those that depend on it (reverse order).
  const waitsFor = (s: Step): string[] =>
    which === "create" ? s.dependsOn.filter((d) => byName.has(d)) : steps.filter((o) => o.dependsOn.includes(s.name)).map((o) => o.name);
  const run = (s: Step): Promise<boolean> => {
    const existing = done.get(s.name);
    if (existing !== undefined) return existing;
    const p = (async () => {
      const before = await Promise.all(waitsFor(s).map((d) => run(byName.get(d) as Step)));
      if (before.some((ok) => !ok)) return false;
      const command = which === "create" ? s.create : s.delete;
      if (command === undefined) return true;
      const r = await ssh(lab, s.host, command, which === "create" ? s.stdin : undefined);
      results.push({ step: s.name, host: s.host, ...r });
      return r.code === 0;
    })();
    done.set(s.name, p);
    return p;
  };
  // Steps of one host run one at a time in a stable order, like one SSH connection would.
  const hosts = [...new Set(steps.map((s) => s.host))];
  await Promise.all(
    hosts.map(async (host) => {
      for (const s of steps.filter((x) => x.host === host)) await run(s);
    }),
  );
  return results;
}

/** The remote commands a lab host has run so far (its sshd logs every one). */
export function commandsRun(lab: Lab, host: string): string[] {
  const log = lab.hosts[host]?.commandsLog;
  if (log === undefined || !existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { cmd: string }).cmd);
}
