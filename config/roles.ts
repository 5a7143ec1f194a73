import { z } from "zod";
import { identifier, modelName } from "./primitives.ts";

/** A logical model name clients use (the platform contract), served by one backend. */
export const roleSchema = z.strictObject({
  backend: identifier,
  /** Legacy names that route to this role (`local/chat`). */
  aliases: z.array(modelName).default([]),
  /** Ordered: tried one after another when this role fails. Roles or providers. */
  fallbacks: z.array(modelName).default([]),
});

export type RoleConfig = z.infer<typeof roleSchema>;

export const rolesSchema = z.record(modelName, roleSchema);
