import { z } from "zod";

/** A name used as a key and inside resource names: host, backend, gateway ids. */
export const identifier = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lowercase letters, digits and '-' (max 63)");

/** A model name clients send (`chat-fast`, `local/chat`, `openai/strong`, `default`). */
export const modelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, "must be letters, digits and . _ : / - (max 128)");

export const port = z.number().int().min(1).max(65535);

export const absolutePosixPath = z
  .string()
  .regex(/^\/[^\0\n]*$/, "must be an absolute path")
  .refine((p) => !p.split("/").includes(".."), "must not contain '..'");

export const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "must be an upper-case environment variable name");

/** Key Vault secret names: 1-127 alphanumerics and dashes. */
export const secretName = z.string().regex(/^[0-9A-Za-z-]{1,127}$/, "must be a Key Vault secret name (letters, digits, '-')");

export const ipv4Cidr = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/, "must be an IPv4 CIDR such as 100.64.0.0/10");

export const ipv4Address = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, "must be an IPv4 address");

const floatingTags = new Set(["latest", "main", "master", "stable", "nightly", "edge", "dev"]);

/**
 * A container image pinned by tag or digest. A floating tag (`latest`, `main`) would let the
 * same config deploy different software on two days, which defeats preview and rollback.
 */
export const pinnedImage = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._/:@-]*$/, "must be an image reference")
  .superRefine((ref, ctx) => {
    if (ref.includes("@sha256:")) return;
    const lastSegment = ref.slice(ref.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    const tag = colon === -1 ? undefined : lastSegment.slice(colon + 1);
    if (tag === undefined || tag === "") {
      ctx.addIssue({ code: "custom", message: "must be pinned to a tag or digest" });
    } else if (floatingTags.has(tag)) {
      ctx.addIssue({ code: "custom", message: `tag '${tag}' floats; pin a version or digest` });
    }
  });

export const hostAddress = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "must be a host name or IPv4 address");

export const sshPublicKey = z
  .string()
  .regex(
    /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}$/,
    "must be a public host key: '<type> <base64>' (ssh-keyscan output without the host name)",
  );

export const httpUrl = z.url({ protocol: /^https?$/ });

export const windowsPath = z.string().regex(/^[A-Za-z]:\\[^\0\n'"]*$/, "must be an absolute Windows path without quotes");
