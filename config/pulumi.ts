import * as pulumi from "@pulumi/pulumi";
import { type FabricConfig, formatProblem, loadFabricConfig, structuralKeys } from "./load.ts";

type RuntimeWithSecrets = typeof pulumi.runtime & { isConfigSecret?: (key: string) => boolean };

/**
 * Reads the stack's config once, through the same loader the CLI uses. Problems stop the
 * program before any resource is registered: nothing is applied.
 */
export function loadStackConfig(): FabricConfig {
  const runtime = pulumi.runtime as RuntimeWithSecrets;
  const raw: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    const structural = key.startsWith("fabric:") && structuralKeys.includes(key.slice("fabric:".length));
    raw[key] = structural ? parseJson(value) : value;
    if (runtime.isConfigSecret?.(key)) secretKeys.add(key);
  }
  const result = loadFabricConfig(raw, { file: `Pulumi.${pulumi.getStack()}.yaml`, secretKeys });
  if (!result.ok) {
    throw new pulumi.RunError(`invalid fabric config; nothing was applied:\n${result.problems.map(formatProblem).join("\n")}`);
  }
  for (const w of result.warnings) pulumi.log.warn(formatProblem(w));
  return result.config;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
