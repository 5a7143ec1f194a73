import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type FabricConfig, fabricSchema, fabricShape, pathText } from "./schema.ts";

export type { FabricConfig } from "./schema.ts";

/** One thing wrong with a stack's config: a line a person can act on. */
export interface ConfigProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export type LoadResult =
  | { readonly ok: true; readonly config: FabricConfig; readonly warnings: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** The config keys of the fabric's shape (`fabric:hosts`, …). */
export const structuralKeys: readonly string[] = Object.keys(fabricShape.shape);

/** Keys that hold secret values and must be set with `pulumi config set --secret`. */
export const secretKeys = {
  /** The SSH private key fabric connects with (unless an SSH agent is used). */
  sshPrivateKey: "sshPrivateKey",
  /** env var → value, for `secrets.source: config` (the lab, or a stack without Key Vault). */
  secretValues: "secretValues",
} as const;

export interface ConfigSource {
  /** The stack file the values came from, named in every problem. */
  readonly file: string;
  /** Full keys (`fabric:secretValues`) whose values are encrypted in the stack file. */
  readonly secretKeys: ReadonlySet<string>;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.path}: ${p.message}`;
}

/**
 * Parses and cross-checks a stack's `fabric:*` config. Takes plain values (keys with their
 * namespace, objects already parsed) so tests and the CLI need no Pulumi engine.
 */
export function loadFabricConfig(raw: Readonly<Record<string, unknown>>, source: ConfigSource): LoadResult {
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ file: source.file, path, message });
  const shape: Record<string, unknown> = {};
  const secretOnly = new Set<string>(Object.values(secretKeys));

  for (const [fullKey, value] of Object.entries(raw)) {
    const [namespace, key] = splitKey(fullKey);
    if (namespace !== "fabric") continue;
    if (structuralKeys.includes(key)) {
      if (source.secretKeys.has(fullKey))
        problem(fullKey, "holds the fabric's shape; keep it plain and put secret values in fabric:secretValues");
      shape[key] = value;
    } else if (secretOnly.has(key)) {
      if (!source.secretKeys.has(fullKey)) {
        problem(fullKey, `is a secret in plain text: remove it and use \`pulumi config set --secret ${key}\``);
      }
    } else {
      problem(fullKey, `unknown key (known: ${[...structuralKeys, ...secretOnly].join(", ")})`);
    }
  }
  if (!("hosts" in shape)) problem("fabric:hosts", "required: the hosts of this stack");
  if (problems.length > 0) return { ok: false, problems };

  const parsed = fabricSchema.safeParse(shape);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problem(pathText(i.path), issueMessage(i));
    return { ok: false, problems: dedupe(problems) };
  }
  const config = parsed.data;
  const warnings: ConfigProblem[] = [];
  if (config.secrets.source === "config" && !source.secretKeys.has("fabric:secretValues") && Object.keys(config.secrets.env).length > 0) {
    warnings.push({
      file: source.file,
      path: "fabric:secretValues",
      message: "not set: `up` will stop before it applies anything (pulumi config set --secret --path 'secretValues.<ENV>' <value>)",
    });
  }
  for (const [name, host] of Object.entries(config.hosts)) {
    if (host.hostKey === undefined) {
      warnings.push({
        file: source.file,
        path: `fabric:hosts.${name}.hostKey`,
        message: `not pinned: fabric will not connect to '${name}' until it is (ssh-keyscan -t ed25519 ${host.address})`,
      });
    }
  }
  return { ok: true, config, warnings };
}

function issueMessage(i: { code: string; message: string; keys?: readonly string[] }): string {
  if (i.code === "unrecognized_keys" && i.keys !== undefined) {
    return `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")}`;
  }
  return i.message;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const line = formatProblem(p);
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

function splitKey(fullKey: string): [string, string] {
  const colon = fullKey.indexOf(":");
  return colon === -1 ? ["fabric", fullKey] : [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

/** Reads a `Pulumi.<stack>.yaml` without the engine: values as written, secure values as markers. */
export function readStackFile(file: string): { raw: Record<string, unknown>; secretKeys: Set<string> } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new StackFileError(`${file}: cannot be read as YAML: ${(err as Error).message}`);
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new StackFileError(`${file}: config: must be a mapping`);
  }
  const raw: Record<string, unknown> = {};
  const secret = new Set<string>();
  for (const [k, v] of Object.entries(config)) {
    const fullKey = k.includes(":") ? k : `fabric:${k}`;
    raw[fullKey] = v;
    if (containsSecure(v)) secret.add(fullKey);
  }
  return { raw, secretKeys: secret };
}

function containsSecure(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  if (!Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v) return true;
  return Object.values(v).some(containsSecure);
}

export class StackFileError extends Error {}
