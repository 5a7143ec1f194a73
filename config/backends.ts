import { z } from "zod";
import { envVarName, identifier, modelName, pinnedImage, port } from "./primitives.ts";

/** One vLLM server: a container serving one model on one host. */
export const backendSchema = z.strictObject({
  host: identifier,
  port,
  /** Address vLLM listens on inside the host (all interfaces by default; the firewall narrows it). */
  bind: z.string().default("0.0.0.0"),
  image: pinnedImage,
  /** The model vLLM loads (a Hugging Face id or a path inside the container). */
  model: z.string().min(1),
  /** The name vLLM answers to (`--served-model-name`); LiteLLM calls it `hosted_vllm/<name>`. */
  servedName: modelName,
  task: z.enum(["chat", "embed"]),
  maxModelLen: z.number().int().positive().optional(),
  quantization: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .optional(),
  gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
  extraArgs: z.array(z.string().regex(/^[^\0\n]*$/)).default([]),
  /** Non-secret environment for the container. */
  env: z.record(envVarName, z.string().regex(/^[^\0\n]*$/)).default({}),
  containerName: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)
    .optional(),
  /** Overrides the URL gateways use to reach this backend (must end in /v1). */
  url: z
    .url({ protocol: /^https?$/ })
    .refine((u) => u.endsWith("/v1"), "must end with /v1")
    .optional(),
});

export type BackendConfig = z.infer<typeof backendSchema>;

export const backendsSchema = z.record(identifier, backendSchema);
