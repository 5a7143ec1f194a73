import { table } from "../cli/outputs.ts";
import { renderLiteLlmConfig } from "../render/litellm.ts";
import { generatedSecrets, testHostKey } from "../tests/support/mocks.ts";
import { startLiteLlm, startStandin } from "../tests/support/processes.ts";
import { pinnedStack } from "../tests/support/stacks.ts";

/**
 * `npm run bench`: fabric's speed targets, measured on loopback, printed as a table.
 * Bounded: a fixed number of requests, each with a timeout.
 */

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 3);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timeRequests(url: string, body: unknown, headers: Record<string, string>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<void> {
  const config = pinnedStack("akira", testHostKey);
  const backend = await startStandin("akira-qwen", "qwen2.5-7b");
  const secrets = generatedSecrets(Object.keys(config.secrets.env));
  const yaml = renderLiteLlmConfig(config, "akira", { apiBaseFor: () => `${backend.url}/v1` });
  let proxy = await startLiteLlm(yaml, secrets);
  const rows: string[][] = [["measure", "runs", "min", "median", "p95"]];
  try {
    const body = (model: string) => ({ model, messages: [{ role: "user", content: "bench" }], max_tokens: 8 });
    await timeRequests(`${proxy.url}/v1/chat/completions`, body("default"), { authorization: `Bearer ${secrets.LITELLM_MASTER_KEY}` }); // warm-up
    const direct = await timeRequests(`${backend.url}/v1/chat/completions`, body("qwen2.5-7b"), {});
    const gateway = await timeRequests(`${proxy.url}/v1/chat/completions`, body("default"), {
      authorization: `Bearer ${secrets.LITELLM_MASTER_KEY}`,
    });
    rows.push([
      "chat, direct to the stand-in",
      String(REQUESTS),
      ms(Math.min(...direct)),
      ms(quantile(direct, 0.5)),
      ms(quantile(direct, 0.95)),
    ]);
    rows.push([
      "chat, through the gateway",
      String(REQUESTS),
      ms(Math.min(...gateway)),
      ms(quantile(gateway, 0.5)),
      ms(quantile(gateway, 0.95)),
    ]);
    rows.push([
      "gateway overhead per request",
      String(REQUESTS),
      "",
      ms(quantile(gateway, 0.5) - quantile(direct, 0.5)),
      ms(quantile(gateway, 0.95) - quantile(direct, 0.95)),
    ]);

    // What a secret rotation costs: the gated apply restarts the gateway on the new .env and
    // waits for readiness. Here: stop, start with new values, time until it answers again.
    const restarts: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const started = performance.now();
      await proxy.stop();
      proxy = await startLiteLlm(yaml, generatedSecrets(Object.keys(config.secrets.env)));
      restarts.push(performance.now() - started);
    }
    rows.push([
      ".env change to the gateway answering again",
      String(RESTARTS),
      ms(Math.min(...restarts)),
      ms(quantile(restarts, 0.5)),
      ms(quantile(restarts, 0.95)),
    ]);
  } finally {
    await proxy.stop();
    await backend.stop();
  }
  console.log(table(rows));
}

await main();
