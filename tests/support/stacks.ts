import { type ConfigProblem, type FabricConfig, loadFabricConfig, readStackFile } from "../../config/load.ts";

export const realStacks = ["motoko", "akira"] as const;
/** Every committed stack file, the lab included. */
export const allStacks = [...realStacks, "lab"] as const;

/** A stack file's raw `config:` values, deep-copied so a test can break them. */
export function rawStack(stack: string): Record<string, any> {
  return structuredClone(readStackFile(`Pulumi.${stack}.yaml`).raw) as Record<string, any>;
}

/** Loads raw values as the stack file `file` would, expecting success. */
export function loadOk(raw: Record<string, unknown>, secretKeys: string[] = []): FabricConfig {
  const result = loadFabricConfig(raw, { file: "Pulumi.test.yaml", secretKeys: new Set(secretKeys) });
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return result.config;
}

/** The problems of loading raw values that must fail. */
export function problemsOf(raw: Record<string, unknown>, secretKeys: string[] = []): ConfigProblem[] {
  const result = loadFabricConfig(raw, { file: "Pulumi.test.yaml", secretKeys: new Set(secretKeys) });
  if (result.ok) throw new Error("expected the config to be rejected");
  return [...result.problems];
}

/** The stack's config with every host key pinned (to keys made up at run time by the caller). */
export function pinnedStack(stack: string, hostKey: string): FabricConfig {
  const raw = rawStack(stack);
  for (const host of Object.values(raw["fabric:hosts"] as Record<string, { hostKey?: string }>)) host.hostKey = hostKey;
  return loadOk(raw);
}
