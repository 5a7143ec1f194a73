import { createHash } from "node:crypto";

/** A short content hash: what decides whether a host step runs again. */
export function contentHash(...parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const part of parts) h.update(part).update("\0");
  return h.digest("hex").slice(0, 16);
}
