import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A port nothing listens on right now (loopback only). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls `url` until it answers `status` (any 2xx by default) or the deadline passes. */
export async function waitFor(
  url: string,
  deadlineMs: number,
  accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = "";
  while (Date.now() < end) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (accept(res.status)) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${deadlineMs} ms (${last})`);
}

export interface Running {
  readonly url: string;
  readonly port: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

function track(child: ChildProcess): { output: () => string; stop: () => Promise<void> } {
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  return { output: () => out, stop };
}

const standinBinary = (() => {
  let path: string | undefined;
  return () => {
    path ??= execFileSync("scripts/standin.sh", { encoding: "utf8" }).trim();
    return path;
  };
})();

/** The vLLM stand-in on loopback, answering as `name` for the served model name. */
export async function startStandin(name: string, servedName: string, extraEnv: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    standinBinary(),
    ["--model", `test/${servedName}`, "--served-model-name", servedName, "--host", "127.0.0.1", "--port", String(port)],
    {
      env: { PATH: process.env.PATH ?? "", STANDIN_NAME: name, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const t = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`, 10_000);
  return { url, port, ...t };
}

const liteLlmBinary = (() => {
  let path: string | undefined;
  return () => {
    path ??= execFileSync("scripts/litellm.sh", { encoding: "utf8" }).trim();
    return path;
  };
})();

/** The pinned real LiteLLM proxy on loopback with `config`, offline, with `env` (its secrets). */
export async function startLiteLlm(config: string, env: Record<string, string>): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "fabric-litellm-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, config);
  const port = await freePort();
  const child = spawn(liteLlmBinary(), ["--config", file, "--host", "127.0.0.1", "--port", String(port)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      LITELLM_LOCAL_MODEL_COST_MAP: "True",
      LITELLM_TELEMETRY: "False",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const t = track(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/health/liveliness`, 120_000);
  } catch (err) {
    await t.stop();
    throw new Error(`${(err as Error).message}\n${t.output().slice(-3000)}`);
  }
  return {
    url,
    port,
    output: t.output,
    stop: async () => {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's redis-server on loopback with a password (passed in its config file, not argv). */
export async function startRedis(password: string): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "fabric-redis-"));
  const port = await freePort();
  const conf = join(dir, "redis.conf");
  writeFileSync(conf, `bind 127.0.0.1\nport ${port}\nrequirepass ${password}\nsave ""\nappendonly no\ndir ${dir}\n`, { mode: 0o600 });
  const child = spawn("redis-server", [conf], { stdio: ["ignore", "pipe", "pipe"] });
  const t = track(child);
  const end = Date.now() + 10_000;
  while (!t.output().includes("Ready to accept connections")) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`redis-server did not start: ${t.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    output: t.output,
    stop: async () => {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
