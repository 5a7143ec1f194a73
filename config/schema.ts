import { z } from "zod";
import { backendsSchema } from "./backends.ts";
import { clientsSchema } from "./clients.ts";
import { findFallbackCycle } from "./fallbacks.ts";
import { firewallSchema } from "./firewall.ts";
import { gatewaysSchema } from "./gateways.ts";
import { hostsSchema } from "./hosts.ts";
import { providersSchema } from "./providers.ts";
import { rolesSchema } from "./roles.ts";
import { secretsSchema } from "./secrets.ts";
import { tailnetSchema } from "./tailnet.ts";

/** The whole fabric of one stack, as the `fabric:*` keys of its stack file. */
export const fabricShape = z.strictObject({
  tailnet: tailnetSchema.optional(),
  hosts: hostsSchema,
  backends: backendsSchema.default({}),
  roles: rolesSchema.default({}),
  providers: providersSchema.default({}),
  gateways: gatewaysSchema.default({}),
  secrets: secretsSchema.default({ source: "keyvault", env: {} }),
  firewall: firewallSchema.default({}),
  clients: clientsSchema.default({}),
});

export type FabricConfig = z.infer<typeof fabricShape>;

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: "custom", path, message });
}

const loopback = (address: string) => address.startsWith("127.") || address === "localhost";

/** References between sections: every name used somewhere is defined somewhere. */
export function checkReferences(c: FabricConfig, ctx: Ctx): void {
  const secretEnv = new Set(Object.keys(c.secrets.env));
  const requireSecret = (path: Path, env: string) => {
    if (!secretEnv.has(env)) issue(ctx, path, `'${env}' is not in fabric:secrets.env`);
  };
  const requireHost = (path: Path, host: string) => {
    if (!(host in c.hosts)) issue(ctx, path, `unknown host '${host}'`);
  };

  for (const [id, b] of Object.entries(c.backends)) {
    requireHost(["backends", id, "host"], b.host);
    const host = c.hosts[b.host];
    if (host?.os === "windows-wsl" && host.gpu !== "nvidia") {
      issue(
        ctx,
        ["hosts", b.host, "gpu"],
        "Windows hosts run vLLM in Podman Desktop with NVIDIA's CDI device; other GPUs are not supported there",
      );
    }
    if (host?.os === "linux" && host.appsDir === undefined) {
      issue(ctx, ["hosts", b.host, "appsDir"], `required: backend '${id}' runs here`);
    }
  }
  const windowsBackends = Object.values(c.backends).some((b) => c.hosts[b.host]?.os === "windows-wsl");
  if (windowsBackends && c.tailnet === undefined) {
    issue(ctx, ["tailnet"], "required: Windows port proxies admit only the tailnet range");
  }

  for (const [name, role] of Object.entries(c.roles)) {
    const backend = c.backends[role.backend];
    if (backend === undefined) {
      issue(ctx, ["roles", name, "backend"], `unknown backend '${role.backend}'`);
    }
    for (const [i, target] of role.fallbacks.entries()) {
      const path = ["roles", name, "fallbacks", i];
      const targetTask = taskOf(c, target);
      if (target === name) issue(ctx, path, "a role cannot fall back to itself");
      else if (targetTask === undefined) issue(ctx, path, `unknown role or provider '${target}'`);
      else if (backend !== undefined && targetTask !== backend.task) {
        issue(ctx, path, `'${target}' serves ${targetTask}, '${name}' serves ${backend.task}`);
      }
    }
  }

  for (const [name, p] of Object.entries(c.providers)) {
    requireSecret(["providers", name, "keyEnv"], p.keyEnv);
  }
  if (c.secrets.source === "keyvault" && c.secrets.vault === undefined && secretEnv.size > 0) {
    issue(ctx, ["secrets", "vault"], "required when secrets.source is keyvault");
  }

  for (const [id, g] of Object.entries(c.gateways)) {
    const base = ["gateways", id];
    requireHost([...base, "host"], g.host);
    if (c.hosts[g.host]?.os === "windows-wsl") issue(ctx, [...base, "host"], "gateways run on Linux hosts");
    const served = new Set(g.models);
    g.models.forEach((m, i) => {
      if (taskOf(c, m) === undefined) issue(ctx, [...base, "models", i], `unknown role or provider '${m}'`);
      for (const [j, target] of (c.roles[m]?.fallbacks ?? []).entries()) {
        if (!served.has(target)) {
          issue(
            ctx,
            [...base, "models"],
            `'${m}' falls back to '${target}' (roles.${m}.fallbacks[${j}]), which this gateway does not serve`,
          );
        }
      }
    });
    for (const m of Object.keys(g.rateLimits)) {
      if (!served.has(m)) issue(ctx, [...base, "rateLimits", m], `'${m}' is not served by this gateway`);
      // Measured on the pinned LiteLLM: per-model rpm/tpm bind chat completions, not embeddings.
      else if (taskOf(c, m) === "embed") issue(ctx, [...base, "rateLimits", m], "LiteLLM does not enforce rpm/tpm on embeddings models");
    }
    if (g.masterKeyEnv !== undefined) requireSecret([...base, "masterKeyEnv"], g.masterKeyEnv);
    for (const [i, env] of (g.secretEnv ?? []).entries()) requireSecret([...base, "secretEnv", i], env);
    if (g.cache.redis !== undefined) requireSecret([...base, "cache", "redis", "passwordEnv"], g.cache.redis.passwordEnv);
    const written = new Set(g.secretEnv ?? secretEnv);
    const needed = [
      ...(g.masterKeyEnv === undefined ? [] : [["masterKeyEnv", g.masterKeyEnv]]),
      ...(g.cache.redis === undefined ? [] : [["cache.redis.passwordEnv", g.cache.redis.passwordEnv]]),
      ...g.models.flatMap((m) => (c.providers[m] ? [[`models(${m}).keyEnv`, c.providers[m].keyEnv]] : [])),
    ];
    for (const [what, env] of needed) {
      if (env !== undefined && secretEnv.has(env) && !written.has(env)) {
        issue(ctx, [...base, "secretEnv"], `must include '${env}' (needed by ${what})`);
      }
    }
  }

  for (const [name, rule] of Object.entries(c.firewall)) {
    requireHost(["firewall", name, "host"], rule.host);
    if (c.hosts[rule.host]?.os === "windows-wsl") {
      issue(ctx, ["firewall", name, "host"], "firewalld rules apply to Linux hosts; Windows rules come with the port proxy");
    }
  }

  for (const [host, client] of Object.entries(c.clients)) {
    requireHost(["clients", host], host);
    if (c.hosts[host]?.os === "windows-wsl") issue(ctx, ["clients", host], "ask-cli settings are written on Linux hosts");
    if (client.apiKeyEnv !== undefined) requireSecret(["clients", host, "apiKeyEnv"], client.apiKeyEnv);
  }
}

/** `chat` or `embed` for a role or provider name; undefined when the name is neither. */
function taskOf(c: FabricConfig, name: string): "chat" | "embed" | undefined {
  const role = c.roles[name];
  if (role !== undefined) return c.backends[role.backend]?.task ?? "chat";
  return c.providers[name]?.task;
}

/** Every name a client can send is unique across roles, aliases and providers. */
export function checkNamesUnique(c: FabricConfig, ctx: Ctx): void {
  const seen = new Map<string, string>();
  const claim = (name: string, path: Path) => {
    const where = pathText(path);
    const first = seen.get(name);
    if (first !== undefined) issue(ctx, path, `model name '${name}' is already used at ${first}`);
    else seen.set(name, where);
  };
  for (const [name, role] of Object.entries(c.roles)) {
    claim(name, ["roles", name]);
    for (const [i, alias] of role.aliases.entries()) claim(alias, ["roles", name, "aliases", i]);
  }
  for (const name of Object.keys(c.providers)) claim(name, ["providers", name]);
}

export function checkFallbackCycles(c: FabricConfig, ctx: Ctx): void {
  const cycle = findFallbackCycle(Object.fromEntries(Object.entries(c.roles).map(([name, r]) => [name, r.fallbacks])));
  if (cycle !== undefined) {
    issue(ctx, ["roles", cycle[0] ?? ""], `fallback cycle: ${cycle.join(" → ")}`);
  }
}

/** Two services on one host cannot share a port. */
export function checkPortsUnique(c: FabricConfig, ctx: Ctx): void {
  const taken = new Map<string, string>();
  const claim = (host: string, port: number, path: Path) => {
    const key = `${host}:${port}`;
    const first = taken.get(key);
    if (first !== undefined) issue(ctx, path, `port ${port} on '${host}' is already used by ${first}`);
    else taken.set(key, pathText(path));
  };
  for (const [id, b] of Object.entries(c.backends)) claim(b.host, b.port, ["backends", id, "port"]);
  for (const [id, g] of Object.entries(c.gateways)) {
    claim(g.host, g.port, ["gateways", id, "port"]);
    if (g.cache.redis !== undefined) claim(g.host, g.cache.redis.port, ["gateways", id, "cache", "redis", "port"]);
  }
}

/** A gateway that listens beyond loopback is reachable by others: it must demand a key and be fenced. */
export function checkGatewayExposure(c: FabricConfig, ctx: Ctx): void {
  for (const [id, g] of Object.entries(c.gateways)) {
    if (loopback(g.bind)) continue;
    if (g.masterKeyEnv === undefined) {
      issue(ctx, ["gateways", id, "masterKeyEnv"], `required: the gateway binds ${g.bind}, beyond loopback`);
    }
    const fenced = Object.values(c.firewall).some((r) => r.host === g.host && r.port === g.port);
    if (!fenced) {
      issue(ctx, ["gateways", id, "bind"], `${g.bind}:${g.port} needs a fabric:firewall rule on '${g.host}' for port ${g.port}`);
    }
  }
}

const secretShapes: [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{16,}/, "an API key (sk-…)"],
  [/\bhf_[A-Za-z0-9]{20,}/, "a Hugging Face token"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, "a GitHub token"],
];
const secretKeyName = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|MASTER_?KEY|PRIVATE_?KEY)/i;

/** Secret values never sit in plain config: they come from the vault map or `--secret` config. */
export function checkNoPlainSecrets(c: FabricConfig, ctx: Ctx): void {
  const visit = (value: unknown, path: Path) => {
    if (typeof value === "string") {
      for (const [shape, what] of secretShapes) {
        if (shape.test(value)) issue(ctx, path, `looks like ${what}: secrets belong in the vault map or \`pulumi config set --secret\``);
      }
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, [...path, i]);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
    }
  };
  visit(c, []);
  for (const [id, b] of Object.entries(c.backends)) {
    for (const key of Object.keys(b.env)) {
      if (secretKeyName.test(key)) {
        issue(ctx, ["backends", id, "env", key], "a secret in plain config: put it in fabric:secrets.env");
      }
    }
    b.extraArgs.forEach((arg, i) => {
      if (/^--?(api-key|token|hf-token)(=|$)/i.test(arg)) {
        issue(ctx, ["backends", id, "extraArgs", i], "a secret on a command line: pass it through the secrets map");
      }
    });
  }
}

export const fabricSchema = fabricShape.superRefine((c, ctx) => {
  checkReferences(c, ctx);
  checkNamesUnique(c, ctx);
  checkFallbackCycles(c, ctx);
  checkPortsUnique(c, ctx);
  checkGatewayExposure(c, ctx);
  checkNoPlainSecrets(c, ctx);
});

/** `fabric:roles["local/chat"].fallbacks[1]`: the key path as `pulumi config get --path` takes it. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const [i, part] of path.entries()) {
    if (typeof part === "number") out += `[${part}]`;
    else if (i === 0) out += `fabric:${String(part)}`;
    else if (/^[A-Za-z0-9_-]+$/.test(String(part))) out += `.${String(part)}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || "fabric";
}
