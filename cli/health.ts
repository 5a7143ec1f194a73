import { checkBackend, checkGateway, healthLevel, levels } from "../ops/health.ts";
import { parseArgs, readStackOutputs, table } from "./outputs.ts";
import { runCli } from "./stack.ts";

// `npm run health -- <stack> [host…] [--json] [--outputs file] [--timeout ms]`
runCli("npm run health -- <stack> [host...] [--json] [--outputs <file>] [--timeout <ms>]", (argv) => {
  const { positional, flags } = parseArgs(argv, ["--outputs", "--timeout"]);
  const [stack = "", ...hosts] = positional;
  const outputsFile = flags.get("--outputs");
  const outputs = readStackOutputs(stack, typeof outputsFile === "string" ? outputsFile : undefined);
  const timeoutMs = Number(flags.get("--timeout") ?? 3000);
  const wanted = (host: string) => hosts.length === 0 || hosts.includes(host);
  void (async () => {
    const [gateways, backends] = await Promise.all([
      Promise.all(
        Object.entries(outputs.gateways)
          .filter(([, g]) => wanted(g.host))
          .map(([id, g]) => checkGateway(id, g, timeoutMs)),
      ),
      Promise.all(
        Object.entries(outputs.backends)
          .filter(([, b]) => wanted(b.host))
          .map(([id, b]) => checkBackend(id, b, timeoutMs)),
      ),
    ]);
    const level = healthLevel(gateways, backends);
    if (flags.has("--json")) {
      console.log(JSON.stringify({ stack, level, gateways, backends }, null, 2));
    } else {
      const rows = [
        ["KIND", "NAME", "HOST", "STATE", "DETAIL"],
        ...gateways.map((g) => ["gateway", g.id, g.endpoint.host, g.up ? "up" : "DOWN", g.detail]),
        ...backends.map((b) => [`backend/${b.endpoint.task}`, b.id, b.endpoint.host, b.up ? "up" : "DOWN", b.detail]),
      ];
      console.log(`${table(rows)}\n\n${stack}: ${level}`);
    }
    process.exitCode = levels.indexOf(level);
  })();
  return 0;
});
