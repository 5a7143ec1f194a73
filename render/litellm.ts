import { stringify } from "yaml";
import type { GatewayConfig } from "../config/gateways.ts";
import type { FabricConfig } from "../config/load.ts";
import { renderContainerUnit } from "./systemd.ts";

export interface LiteLlmRenderOptions {
  /** Where the gateway reaches a backend; defaults to {@link backendApiBase}. Tests point it at stand-ins. */
  readonly apiBaseFor?: (backendId: string) => string;
  /** Where the gateway reaches an external provider; defaults to the provider's own. */
  readonly providerApiBaseFor?: (providerName: string) => string | undefined;
}

/** The URL a gateway on `gatewayHost` uses for a backend: loopback on the same host, else the host's address. */
export function backendApiBase(config: FabricConfig, backendId: string, gatewayHost: string): string {
  const backend = config.backends[backendId];
  if (backend === undefined) throw new Error(`unknown backend '${backendId}'`);
  if (backend.url !== undefined) return backend.url;
  const address = backend.host === gatewayHost ? "127.0.0.1" : config.hosts[backend.host]?.address;
  return `http://${address}:${backend.port}/v1`;
}

/** What one gateway serves: its roles, enabled providers, aliases, and fallbacks, in config order. */
export interface GatewayModels {
  readonly roles: readonly string[];
  readonly providers: readonly string[];
  readonly aliases: Readonly<Record<string, string>>;
  readonly fallbacks: readonly { readonly from: string; readonly to: readonly string[] }[];
}

export function gatewayModels(config: FabricConfig, gateway: GatewayConfig): GatewayModels {
  const enabledProvider = (name: string) => config.providers[name]?.enabled === true;
  // Sorted: the order of `models` in the stack file is not a change worth a restart.
  const served = [...gateway.models].sort();
  const roles = served.filter((m) => m in config.roles);
  const providers = served.filter(enabledProvider);
  const aliases: Record<string, string> = {};
  for (const role of roles) for (const alias of config.roles[role]?.aliases ?? []) aliases[alias] = role;
  const fallbacks = roles.flatMap((role) => {
    // A disabled provider leaves the chain; the rest keeps its order.
    const to = (config.roles[role]?.fallbacks ?? []).filter((t) => t in config.roles || enabledProvider(t));
    return to.length > 0 ? [{ from: role, to }] : [];
  });
  return { roles, providers, aliases, fallbacks };
}

/** Every name a client may send to the gateway: roles, aliases, providers. */
export function gatewayModelNames(models: GatewayModels): string[] {
  return [...models.roles, ...Object.keys(models.aliases), ...models.providers];
}

const providerPrefix: Record<string, string> = {
  openai: "openai",
  azure: "azure",
  anthropic: "anthropic",
  "openai-compatible": "openai",
};

/** The LiteLLM proxy config for one gateway, as an object (see {@link renderLiteLlmConfig} for YAML). */
export function liteLlmConfig(config: FabricConfig, gatewayId: string, options: LiteLlmRenderOptions = {}): Record<string, unknown> {
  const gateway = config.gateways[gatewayId];
  if (gateway === undefined) throw new Error(`unknown gateway '${gatewayId}'`);
  const models = gatewayModels(config, gateway);
  const apiBaseFor = options.apiBaseFor ?? ((id: string) => backendApiBase(config, id, gateway.host));
  const limits = (name: string) => {
    const l = gateway.rateLimits[name];
    return { ...(l?.rpm === undefined ? {} : { rpm: l.rpm }), ...(l?.tpm === undefined ? {} : { tpm: l.tpm }) };
  };

  const modelList: Record<string, unknown>[] = [];
  for (const role of models.roles) {
    const backendId = config.roles[role]?.backend ?? "";
    const backend = config.backends[backendId];
    if (backend === undefined) throw new Error(`role '${role}' has no backend`);
    modelList.push({
      model_name: role,
      litellm_params: {
        model: `hosted_vllm/${backend.servedName}`,
        api_base: apiBaseFor(backendId),
        ...limits(role),
      },
      model_info: { id: `${role}@${backendId}`, ...(backend.task === "embed" ? { mode: "embedding" } : {}) },
    });
  }
  for (const name of models.providers) {
    const p = config.providers[name];
    if (p === undefined) continue;
    const apiBase = options.providerApiBaseFor?.(name) ?? p.apiBase;
    modelList.push({
      model_name: name,
      litellm_params: {
        model: `${providerPrefix[p.provider]}/${p.model}`,
        api_key: `os.environ/${p.keyEnv}`,
        ...(apiBase === undefined ? {} : { api_base: apiBase }),
        ...(p.budget === undefined ? {} : { max_budget: p.budget.maxUsd, budget_duration: p.budget.duration }),
        ...limits(name),
      },
      model_info: { id: name, ...(p.task === "embed" ? { mode: "embedding" } : {}) },
    });
  }

  const cache = gateway.cache;
  const litellmSettings: Record<string, unknown> = {
    request_timeout: gateway.requestTimeoutSeconds,
    num_retries: gateway.numRetries,
    drop_params: true,
    // Keyed by alias too: LiteLLM looks fallbacks up by the name the client sent, so a request
    // to `local/chat` would otherwise fail instead of falling back (measured on the pinned release).
    ...(models.fallbacks.length > 0
      ? {
          fallbacks: models.fallbacks.flatMap((f) => [
            { [f.from]: f.to },
            ...Object.entries(models.aliases)
              .filter(([, role]) => role === f.from)
              .map(([alias]) => ({ [alias]: f.to })),
          ]),
        }
      : {}),
    ...(cache.enabled
      ? {
          cache: true,
          cache_params:
            cache.redis === undefined
              ? { type: "local", ttl: cache.ttlSeconds }
              : {
                  type: "redis",
                  host: "127.0.0.1",
                  port: cache.redis.port,
                  password: `os.environ/${cache.redis.passwordEnv}`,
                  ttl: cache.ttlSeconds,
                },
        }
      : {}),
    ...(gateway.metrics ? { callbacks: ["prometheus"] } : {}),
  };

  const routerSettings: Record<string, unknown> = {
    routing_strategy: gateway.routingStrategy,
    ...(Object.keys(models.aliases).length > 0 ? { model_group_alias: models.aliases } : {}),
    ...(Object.keys(gateway.rateLimits).length > 0 ? { enable_pre_call_checks: true } : {}),
  };

  const generalSettings: Record<string, unknown> = {
    ...(gateway.masterKeyEnv === undefined ? {} : { master_key: `os.environ/${gateway.masterKeyEnv}` }),
    ...(gateway.smokeFallbackTesting ? { dangerously_allow_mock_testing_request_params: true } : {}),
  };

  return {
    model_list: modelList,
    router_settings: routerSettings,
    litellm_settings: litellmSettings,
    general_settings: generalSettings,
  };
}

/** The LiteLLM config file a gateway loads. Deterministic: the same config renders the same bytes. */
export function renderLiteLlmConfig(config: FabricConfig, gatewayId: string, options: LiteLlmRenderOptions = {}): string {
  return `# Written by fabric (gateway '${gatewayId}'). Edits here are drift: change the stack config instead.\n${stringify(
    liteLlmConfig(config, gatewayId, options),
    { lineWidth: 0 },
  )}`;
}

/**
 * The origins browsers may call the gateway from, as LiteLLM reads them: the environment
 * variable LITELLM_CORS_ORIGINS (the pinned release has no config key for it). Unset or empty
 * means every origin, so with none configured the gateway's own origin is written instead.
 */
export function gatewayCorsEnv(gateway: GatewayConfig, hostAddress: string): string {
  const origins = gateway.corsOrigins.length > 0 ? gateway.corsOrigins : [`http://${hostAddress}:${gateway.port}`];
  return `LITELLM_CORS_ORIGINS=${origins.join(",")}`;
}

/** The systemd unit that runs a gateway: its config mounted, its `.env` when it has secrets. */
export function renderGatewayUnit(
  gateway: GatewayConfig,
  hostAddress: string,
  options: { readonly envFile: boolean; readonly redis: boolean },
): string {
  const dir = gateway.appDir;
  return renderContainerUnit({
    description: `fabric: LiteLLM gateway (${gateway.unit})`,
    containerName: gateway.containerName,
    image: gateway.image,
    ...(options.envFile ? { envFile: `${dir}/.env` } : {}),
    podmanArgs: ["-v", `${dir}/config.yaml:/app/config.yaml:ro,z`, "-e", gatewayCorsEnv(gateway, hostAddress)],
    args: ["--config", "/app/config.yaml", "--host", gateway.bind, "--port", String(gateway.port)],
    ...(options.redis ? { after: [`${gateway.containerName}-redis.service`] } : {}),
  });
}
