import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { BackendEndpoint, GatewayEndpoint } from "../components/fabric.ts";

export interface StackOutputs {
  readonly gateways: Record<string, GatewayEndpoint>;
  readonly backends: Record<string, BackendEndpoint>;
}

/**
 * What the last update of a stack exported: from `pulumi stack output --json`, or from a file
 * (`--outputs <file>`, for a stack whose state is elsewhere, and for tests).
 */
export function readStackOutputs(stack: string, outputsFile?: string): StackOutputs {
  const text =
    outputsFile !== undefined
      ? readFileSync(outputsFile, "utf8")
      : execFileSync("pulumi", ["stack", "output", "--json", "-s", stack], { encoding: "utf8" });
  const parsed = JSON.parse(text) as Partial<StackOutputs>;
  return { gateways: parsed.gateways ?? {}, backends: parsed.backends ?? {} };
}

/** `--name value` and bare flags out of argv; the rest stay positional. */
export function parseArgs(argv: readonly string[], valued: readonly string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) positional.push(arg);
    else if (valued.includes(arg)) flags.set(arg, argv[++i] ?? "");
    else flags.set(arg, true);
  }
  return { positional, flags };
}

/** Prints rows as an aligned table. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
