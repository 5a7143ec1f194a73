import { smokeGateway } from "../ops/smoke.ts";
import { parseArgs, readStackOutputs, table } from "./outputs.ts";
import { loadStack, runCli } from "./stack.ts";

// `npm run smoke -- <stack> [--json] [--outputs file] [--key-env LITELLM_MASTER_KEY]`
runCli("npm run smoke -- <stack> [--json] [--outputs <file>] [--key-env <VAR>] [--timeout <ms>]", (argv) => {
  const { positional, flags } = parseArgs(argv, ["--outputs", "--key-env", "--timeout"]);
  const stack = positional[0] ?? "";
  const loaded = loadStack(stack);
  if (!loaded.ok) {
    for (const line of loaded.lines) console.error(line);
    return 1;
  }
  const config = loaded.config;
  const outputsFile = flags.get("--outputs");
  const outputs = readStackOutputs(stack, typeof outputsFile === "string" ? outputsFile : undefined);
  const keyEnv = flags.get("--key-env");
  const timeoutMs = Number(flags.get("--timeout") ?? 30_000);
  const embeddings = new Set(
    Object.entries(config.roles)
      .filter(([, r]) => config.backends[r.backend]?.task === "embed")
      .flatMap(([n, r]) => [n, ...r.aliases]),
  );
  void (async () => {
    const results = [];
    for (const [id, gateway] of Object.entries(outputs.gateways)) {
      const g = config.gateways[id];
      const apiKeyVar = typeof keyEnv === "string" ? keyEnv : g?.masterKeyEnv;
      const apiKey = apiKeyVar === undefined ? undefined : process.env[apiKeyVar];
      // Forcing a fallback needs the gateway to allow LiteLLM's mock testing parameters.
      const fallbackModel = g?.smokeFallbackTesting
        ? (g.models ?? []).find((m) => (config.roles[m]?.fallbacks.length ?? 0) > 0)
        : undefined;
      const calls = await smokeGateway(gateway, {
        timeoutMs,
        embeddings,
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(fallbackModel === undefined ? {} : { fallbackModel }),
      });
      results.push({ gateway: id, calls });
    }
    const failed = results.some((r) => r.calls.some((c) => !c.ok));
    if (flags.has("--json")) console.log(JSON.stringify({ stack, ok: !failed, results }, null, 2));
    else {
      for (const r of results) {
        console.log(`gateway ${r.gateway}`);
        console.log(
          table([["CHECK", "RESULT", "MS", "DETAIL"], ...r.calls.map((c) => [c.check, c.ok ? "ok" : "FAIL", String(c.ms), c.detail])]),
        );
      }
      console.log(`\n${stack}: ${failed ? "FAILED" : "passed"}`);
    }
    process.exitCode = failed ? 1 : 0;
  })();
  return 0;
});
