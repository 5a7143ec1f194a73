import { existsSync } from "node:fs";
import { type ConfigProblem, type FabricConfig, formatProblem, loadFabricConfig, readStackFile, StackFileError } from "../config/load.ts";

/** `motoko` → `Pulumi.motoko.yaml`; a path that exists is taken as it is. */
export function stackFileOf(stackOrFile: string): string {
  if (existsSync(stackOrFile) && /\.ya?ml$/.test(stackOrFile)) return stackOrFile;
  return `Pulumi.${stackOrFile}.yaml`;
}

export type StackLoad =
  | { ok: true; file: string; config: FabricConfig; warnings: readonly ConfigProblem[] }
  | { ok: false; file: string; lines: string[] };

/** Reads and validates a stack file; never touches a host or the Pulumi engine. */
export function loadStack(stackOrFile: string): StackLoad {
  const file = stackFileOf(stackOrFile);
  if (!existsSync(file)) return { ok: false, file, lines: [`${file}: no such stack file`] };
  try {
    const { raw, secretKeys } = readStackFile(file);
    const result = loadFabricConfig(raw, { file, secretKeys });
    return result.ok
      ? { ok: true, file, config: result.config, warnings: result.warnings }
      : { ok: false, file, lines: result.problems.map(formatProblem) };
  } catch (err) {
    if (err instanceof StackFileError) return { ok: false, file, lines: [err.message] };
    throw err;
  }
}

/** Runs a CLI's main, printing usage errors without a stack trace. */
export function runCli(usage: string, main: (args: string[]) => number): void {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes("--help") || args.includes("-h")) {
    console.error(`usage: ${usage}`);
    process.exitCode = args.length === 0 ? 2 : 0;
    return;
  }
  process.exitCode = main(args);
}
