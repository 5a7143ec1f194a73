import { z } from "zod";
import { envVarName, httpUrl, modelName } from "./primitives.ts";

/** A model served outside the fabric (`openai/strong`), reached with a key from the secrets. */
export const providerSchema = z.strictObject({
  provider: z.enum(["openai", "azure", "anthropic", "openai-compatible"]),
  model: z.string().min(1),
  /** The environment variable (from the secrets map) holding the API key. */
  keyEnv: envVarName,
  apiBase: httpUrl.optional(),
  task: z.enum(["chat", "embed"]).default("chat"),
  /** Spend cap in USD over `budgetDuration`, enforced by the gateway. */
  budget: z
    .strictObject({
      maxUsd: z.number().positive(),
      duration: z.string().regex(/^\d+[smhd]$/, "must look like 30d, 24h"),
    })
    .optional(),
  /** A disabled provider is left out of every gateway and every fallback list. */
  enabled: z.boolean().default(true),
});

export type ProviderConfig = z.infer<typeof providerSchema>;

export const providersSchema = z.record(modelName, providerSchema);
