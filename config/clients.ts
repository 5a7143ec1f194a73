import { z } from "zod";
import { absolutePosixPath, envVarName, httpUrl, identifier, modelName } from "./primitives.ts";

/** ask-cli settings written on a Linux host (ASK_BASE_URL, ASK_MODEL, optional key). */
export const clientSchema = z.strictObject({
  baseUrl: httpUrl,
  model: modelName,
  /** Secret env var (from the secrets map) written as ASK_API_KEY. */
  apiKeyEnv: envVarName.optional(),
  path: absolutePosixPath.default("/etc/ask-cli/env"),
  owner: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/)
    .default("root"),
});

export type ClientConfig = z.infer<typeof clientSchema>;

/** Keyed by host. */
export const clientsSchema = z.record(identifier, clientSchema);
