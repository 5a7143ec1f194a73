import { z } from "zod";
import { absolutePosixPath, envVarName, identifier, ipv4Address, modelName, pinnedImage, port } from "./primitives.ts";

export const routingStrategies = [
  "simple-shuffle",
  "least-busy",
  "usage-based-routing",
  "usage-based-routing-v2",
  "latency-based-routing",
] as const;

const redisSchema = z.strictObject({
  image: pinnedImage,
  port: port.default(6379),
  /** Secret env var (from the secrets map) holding the Redis password. */
  passwordEnv: envVarName,
});

const cacheSchema = z.strictObject({
  enabled: z.boolean().default(false),
  ttlSeconds: z.number().int().positive().default(3600),
  /** Without Redis the cache is in the gateway's memory. */
  redis: redisSchema.optional(),
});

const rateLimitSchema = z
  .strictObject({
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
  })
  .refine((l) => l.rpm !== undefined || l.tpm !== undefined, "set rpm, tpm or both");

/** A LiteLLM proxy: one container under systemd, its config, its `.env`. */
export const gatewaySchema = z.strictObject({
  host: identifier,
  port,
  /** 127.0.0.1 keeps it on the host; anything else needs a master key and a firewall rule. */
  bind: ipv4Address.default("127.0.0.1"),
  appDir: absolutePosixPath,
  unit: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]+$/)
    .default("litellm"),
  containerName: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)
    .default("litellm"),
  image: pinnedImage,
  /** Roles and providers this gateway serves; aliases of those roles come along. */
  models: z.array(modelName).min(1),
  routingStrategy: z.enum(routingStrategies).default("simple-shuffle"),
  cache: cacheSchema.default({ enabled: false, ttlSeconds: 3600 }),
  /** Per role or provider. */
  rateLimits: z.record(modelName, rateLimitSchema).default({}),
  corsOrigins: z.array(z.string().regex(/^https?:\/\/[^\s/]+$/, "must be an origin such as https://app.example")).default([]),
  requestTimeoutSeconds: z.number().int().positive().default(600),
  numRetries: z.number().int().min(0).max(10).default(1),
  /** Let `npm run smoke` force a fallback (LiteLLM's mock_testing_fallbacks). Off in production. */
  smokeFallbackTesting: z.boolean().default(false),
  /** Expose Prometheus metrics at /metrics. */
  metrics: z.boolean().default(false),
  /** Secret env var (from the secrets map) holding the master key clients must present. */
  masterKeyEnv: envVarName.optional(),
  /** Secret env vars written to this gateway's `.env`; all of the secrets map when unset. */
  secretEnv: z.array(envVarName).optional(),
  /** How long a restart may take to answer /health/readiness before it is rolled back. */
  readinessTimeoutSeconds: z.number().int().positive().max(900).default(120),
});

export type GatewayConfig = z.infer<typeof gatewaySchema>;

export const gatewaysSchema = z.record(identifier, gatewaySchema);
