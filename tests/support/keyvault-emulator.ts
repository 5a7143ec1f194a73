/**
 * An Azure Key Vault secrets data plane on loopback HTTPS, for tests that drive the real
 * `@azure/keyvault-secrets` SecretClient (see docs/notes/keyvault-emulator.md).
 *
 * The server runs in this process (node:https); its certificate comes from a CA made at run
 * time with the openssl CLI, and only the client built with `clientOptions` trusts that CA
 * (`tlsOptions.ca`): nothing is installed system-wide, NODE_TLS_REJECT_UNAUTHORIZED is never
 * touched. Authentication follows Key Vault's challenge: a request without a bearer token gets
 * 401 with `WWW-Authenticate: Bearer authorization=…, resource="https://vault.azure.net"`, the SDK
 * then asks `credential` for a token and retries. Any non-empty token is accepted unless
 * `authorize` says otherwise. Wire shapes (ids, attributes, error bodies) follow responses
 * recorded from the real service; see the note for what is and is not emulated.
 */
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { SecretClientOptions } from "@azure/keyvault-secrets";

export type KeyVaultAuthVerdict = "allow" | "unauthorized" | "forbidden";

export interface KeyVaultEmulatorOptions {
  /** Secrets present from the start: name → value, one version each. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Judges each bearer token; by default any non-empty token is allowed. */
  readonly authorize?: (token: string) => KeyVaultAuthVerdict;
  /** The token `credential` hands out (default `fabric-test-token`). */
  readonly token?: string;
  /** Tenant advertised in the 401 challenge (default the all-zero GUID). */
  readonly tenantId?: string;
  /** Deadline for making the certificates and binding the port (default 15 s). */
  readonly startTimeoutMs?: number;
}

export interface KeyVaultRequestRecord {
  readonly method: string;
  /** Path without the query string, e.g. `/secrets/db-password/`. */
  readonly path: string;
  readonly status: number;
}

export interface KeyVaultTokenRequest {
  readonly scopes: readonly string[];
  readonly tenantId: string | undefined;
}

export interface KeyVaultEmulator {
  /** `https://127.0.0.1:<port>` */
  readonly vaultUrl: string;
  /** The run's CA certificate (PEM); trusted by nothing but `clientOptions`. */
  readonly ca: string;
  /** The same CA as a file, for a child process's NODE_EXTRA_CA_CERTS; removed by stop(). */
  readonly caFile: string;
  /** Hands out the fixed token; records what the SDK asked for in `tokenRequests`. */
  readonly credential: TokenCredential;
  /** Trust the run's CA for this client only, and skip the `*.vault.azure.net` resource check. */
  readonly clientOptions: SecretClientOptions;
  /** Every request the vault answered, in order. */
  readonly requests: readonly KeyVaultRequestRecord[];
  readonly tokenRequests: readonly KeyVaultTokenRequest[];
  stop(): Promise<void>;
}

interface SecretVersion {
  readonly version: string;
  readonly value: string;
  contentType: string | undefined;
  tags: Record<string, string> | undefined;
  enabled: boolean;
  nbf: number | undefined;
  exp: number | undefined;
  readonly created: number;
  updated: number;
}

interface SecretEntry {
  /** As first written; Key Vault names are case-insensitive, the map key is lower case. */
  readonly name: string;
  readonly versions: SecretVersion[];
  deleted: { readonly deletedDate: number; readonly scheduledPurgeDate: number } | undefined;
}

class VaultError extends Error {
  readonly status: number;
  readonly code: string;
  readonly inner: string | undefined;

  constructor(status: number, code: string, message: string, inner?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.inner = inner;
  }
}

const RECOVERABLE_DAYS = 90;
const MAX_BODY = 1024 * 1024;
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

const notFound = (nameId: string) =>
  new VaultError(
    404,
    "SecretNotFound",
    `A secret with (name/id) ${nameId} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
const deletedNotFound = (name: string) => new VaultError(404, "SecretNotFound", `Deleted Secret not found: ${name}`);
const inDeletedState = (name: string) =>
  new VaultError(
    409,
    "Conflict",
    `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
  );
const disabled = () => new VaultError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");

const now = () => Math.floor(Date.now() / 1000);

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: Math.max(1, timeoutMs) }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args[0] ?? ""} failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

const OPENSSL_CNF = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** A CA and a `localhost`/127.0.0.1 server certificate it signed; the CA key is deleted at once. */
async function makeCertificates(dir: string, deadline: number): Promise<{ ca: string; caFile: string; cert: string; key: string }> {
  const left = () => deadline - Date.now();
  await writeFile(join(dir, "openssl.cnf"), OPENSSL_CNF, { mode: 0o600 });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-config", "openssl.cnf"];
  const run1 = randomBytes(4).toString("hex");
  await run(
    "openssl",
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      `/CN=fabric test CA ${run1}`,
      "-extensions",
      "ca_ext",
    ],
    dir,
    left(),
  );
  await run("openssl", ["req", "-new", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir, left());
  await run(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-set_serial",
      `0x${randomBytes(8).toString("hex")}`,
      "-days",
      "2",
      "-extfile",
      "openssl.cnf",
      "-extensions",
      "server_ext",
      "-out",
      "server.pem",
    ],
    dir,
    left(),
  );
  const [ca, cert, key] = await Promise.all(["ca.pem", "server.pem", "server.key"].map((f) => readFile(join(dir, f), "utf8")));
  // Only the CA certificate stays on disk (for child processes); keys live in memory only.
  await Promise.all(["ca.key", "server.key", "server.csr", "server.pem", "openssl.cnf"].map((f) => unlink(join(dir, f))));
  return { ca: ca as string, caFile: join(dir, "ca.pem"), cert: cert as string, key: key as string };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new VaultError(413, "RequestEntityTooLarge", "The request body is too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

interface SecretBody {
  value?: unknown;
  contentType?: unknown;
  tags?: unknown;
  attributes?: { enabled?: unknown; nbf?: unknown; exp?: unknown };
}

function parseBody(text: string): SecretBody {
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as SecretBody;
  } catch {
    // fall through
  }
  throw new VaultError(400, "BadParameter", "The request body is not a JSON object.");
}

function applyProperties(v: SecretVersion, body: SecretBody): void {
  if (typeof body.contentType === "string") v.contentType = body.contentType;
  if (typeof body.tags === "object" && body.tags !== null) v.tags = { ...(body.tags as Record<string, string>) };
  const a = body.attributes ?? {};
  if (typeof a.enabled === "boolean") v.enabled = a.enabled;
  if (typeof a.nbf === "number") v.nbf = a.nbf;
  if (typeof a.exp === "number") v.exp = a.exp;
}

/** Starts the vault; resolves once it accepts TLS connections on loopback. */
export async function startKeyVaultEmulator(opts: KeyVaultEmulatorOptions = {}): Promise<KeyVaultEmulator> {
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  const token = opts.token ?? "fabric-test-token";
  const tenantId = opts.tenantId ?? "00000000-0000-0000-0000-000000000000";
  const authorize = opts.authorize ?? ((t: string) => (t.length > 0 ? "allow" : "unauthorized"));
  const challenge = `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`;

  const dir = await mkdtemp(join(tmpdir(), "fabric-kv-"));
  await chmod(dir, 0o700);
  let tls: Awaited<ReturnType<typeof makeCertificates>>;
  try {
    tls = await makeCertificates(dir, deadline);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const store = new Map<string, SecretEntry>();
  const requests: KeyVaultRequestRecord[] = [];
  const tokenRequests: KeyVaultTokenRequest[] = [];

  const entryOf = (name: string): SecretEntry | undefined => store.get(name.toLowerCase());
  const live = (name: string): SecretEntry => {
    const e = entryOf(name);
    if (!e || e.deleted) throw notFound(name);
    return e;
  };
  const versionOf = (e: SecretEntry, name: string, version: string): SecretVersion => {
    if (version === "") {
      const latest = e.versions.at(-1);
      if (!latest) throw notFound(name);
      return latest;
    }
    const v = e.versions.find((x) => x.version === version);
    if (!v) throw notFound(`${name}/${version}`);
    return v;
  };

  function setSecret(name: string, body: SecretBody): { e: SecretEntry; v: SecretVersion } {
    if (typeof body.value !== "string") throw new VaultError(400, "BadParameter", "Property 'value' is required and must be a string.");
    let e = entryOf(name);
    if (e?.deleted) throw inDeletedState(e.name);
    if (!e) {
      e = { name, versions: [], deleted: undefined };
      store.set(name.toLowerCase(), e);
    }
    const t = now();
    const v: SecretVersion = {
      version: randomUUID().replaceAll("-", ""),
      value: body.value,
      contentType: undefined,
      tags: undefined,
      enabled: true,
      nbf: undefined,
      exp: undefined,
      created: t,
      updated: t,
    };
    applyProperties(v, body);
    e.versions.push(v);
    return { e, v };
  }

  for (const [name, value] of Object.entries(opts.secrets ?? {})) setSecret(name, { value });

  const attributes = (v: SecretVersion) => ({
    enabled: v.enabled,
    ...(v.nbf === undefined ? {} : { nbf: v.nbf }),
    ...(v.exp === undefined ? {} : { exp: v.exp }),
    created: v.created,
    updated: v.updated,
    recoveryLevel: "Recoverable+Purgeable",
    recoverableDays: RECOVERABLE_DAYS,
  });
  const common = (v: SecretVersion) => ({
    ...(v.contentType === undefined ? {} : { contentType: v.contentType }),
    ...(v.tags === undefined ? {} : { tags: v.tags }),
    attributes: attributes(v),
  });
  const bundle = (origin: string, e: SecretEntry, v: SecretVersion, withValue: boolean) => ({
    ...(withValue ? { value: v.value } : {}),
    id: `${origin}/secrets/${e.name}/${v.version}`,
    ...common(v),
  });
  const deletedBundle = (origin: string, e: SecretEntry, v: SecretVersion, withVersion: boolean) => ({
    recoveryId: `${origin}/deletedsecrets/${e.name}`,
    deletedDate: e.deleted?.deletedDate,
    scheduledPurgeDate: e.deleted?.scheduledPurgeDate,
    id: withVersion ? `${origin}/secrets/${e.name}/${v.version}` : `${origin}/secrets/${e.name}`,
    ...common(v),
  });
  const list = (value: unknown[]) => ({ value, nextLink: null });

  async function route(method: string, path: string, origin: string, req: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const seg = path.split("/").slice(1).map(decodeURIComponent);
    const [collection, rawName, sub, extra] = seg;
    const name = rawName ?? "";
    if (rawName !== undefined && rawName !== "" && !NAME.test(name)) {
      throw new VaultError(400, "BadParameter", `The request URI contains an invalid name: ${name}`);
    }
    if (collection === "secrets") {
      if (seg.length === 1 || (seg.length === 2 && name === "")) {
        if (method === "GET") {
          const items = [...store.values()].filter((e) => !e.deleted && e.versions.length > 0);
          return {
            status: 200,
            body: list(items.map((e) => ({ id: `${origin}/secrets/${e.name}`, ...common(e.versions.at(-1) as SecretVersion) }))),
          };
        }
      } else if (seg.length === 3 && sub === "versions" && method === "GET") {
        const e = entryOf(name);
        const items = e && !e.deleted ? e.versions : [];
        return { status: 200, body: list(items.map((v) => ({ id: `${origin}/secrets/${e?.name ?? name}/${v.version}`, ...common(v) }))) };
      } else if (seg.length === 2) {
        if (method === "PUT") {
          const { e, v } = setSecret(name, parseBody(await readBody(req)));
          return { status: 200, body: bundle(origin, e, v, true) };
        }
        if (method === "GET") return getSecret(origin, name, "");
        if (method === "DELETE") {
          const e = live(name);
          const t = now();
          e.deleted = { deletedDate: t, scheduledPurgeDate: t + RECOVERABLE_DAYS * 86_400 };
          return { status: 200, body: deletedBundle(origin, e, e.versions.at(-1) as SecretVersion, true) };
        }
      } else if (seg.length === 3) {
        const version = sub ?? "";
        if (method === "GET") return getSecret(origin, name, version);
        if (method === "PATCH") {
          const e = entryOf(name);
          if (e?.deleted) throw inDeletedState(e.name);
          const found = live(name);
          const v = versionOf(found, name, version);
          applyProperties(v, parseBody(await readBody(req)));
          v.updated = now();
          return { status: 200, body: bundle(origin, found, v, false) };
        }
      }
    } else if (collection === "deletedsecrets") {
      if ((seg.length === 1 || (seg.length === 2 && name === "")) && method === "GET") {
        const items = [...store.values()].filter((e) => e.deleted);
        return { status: 200, body: list(items.map((e) => deletedBundle(origin, e, e.versions.at(-1) as SecretVersion, false))) };
      }
      const e = entryOf(name);
      if (seg.length === 2 && method === "GET") {
        if (!e?.deleted) throw deletedNotFound(name);
        return { status: 200, body: deletedBundle(origin, e, e.versions.at(-1) as SecretVersion, true) };
      }
      if (seg.length === 2 && method === "DELETE") {
        if (!e?.deleted) throw deletedNotFound(name);
        store.delete(name.toLowerCase());
        return { status: 204 };
      }
      if (seg.length === 3 && sub === "recover" && extra === undefined && method === "POST") {
        if (!e?.deleted) throw deletedNotFound(name);
        e.deleted = undefined;
        return { status: 200, body: bundle(origin, e, e.versions.at(-1) as SecretVersion, false) };
      }
    }
    throw new VaultError(404, "NotFound", `The stand-in does not serve ${method} ${path}.`);
  }

  function getSecret(origin: string, name: string, version: string): { status: number; body: unknown } {
    const e = entryOf(name);
    if (!e || e.deleted) throw notFound(version === "" ? name : `${name}/${version}`);
    const v = versionOf(e, name, version);
    if (!v.enabled) throw disabled();
    return { status: 200, body: bundle(origin, e, v, true) };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      "cache-control": "no-cache",
      "x-ms-request-id": randomUUID(),
      ...(text === "" ? {} : { "content-type": "application/json; charset=utf-8" }),
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const host = req.headers.host ?? "127.0.0.1";
    const url = new URL(req.url ?? "/", `https://${host}`);
    const path = url.pathname;
    const reply = (status: number, body?: unknown, headers?: Record<string, string>) => {
      requests.push({ method, path, status });
      send(res, status, body, headers);
    };
    const fail = (err: VaultError, headers?: Record<string, string>) =>
      reply(
        err.status,
        { error: { code: err.code, message: err.message, ...(err.inner === undefined ? {} : { innererror: { code: err.inner } }) } },
        headers,
      );
    try {
      // As Key Vault does: no token, no look at the request (the SDK sends its first request bodiless).
      const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
      if (!auth?.[1]) {
        req.resume();
        return fail(new VaultError(401, "Unauthorized", "Request is missing a Bearer or PoP token."), { "www-authenticate": challenge });
      }
      const verdict = authorize(auth[1]);
      if (verdict === "unauthorized") {
        req.resume();
        return fail(new VaultError(401, "Unauthorized", "AKV10032: Invalid issuer (rejected by the test vault)."), {
          "www-authenticate": challenge,
        });
      }
      if (verdict === "forbidden") {
        req.resume();
        return fail(
          new VaultError(
            403,
            "Forbidden",
            "Caller is not authorized to perform action on resource (rejected by the test vault).",
            "ForbiddenByRbac",
          ),
        );
      }
      if (!url.searchParams.get("api-version")) {
        req.resume();
        return fail(new VaultError(400, "BadParameter", "The api-version query parameter is required."));
      }
      const out = await route(method, path, `https://${host}`, req);
      reply(out.status, out.body);
    } catch (err) {
      if (err instanceof VaultError) return fail(err);
      if (err instanceof URIError) return fail(new VaultError(400, "BadParameter", "The request URI is malformed."));
      return fail(new VaultError(500, "InternalError", (err as Error).message));
    }
  }

  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void handle(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the Key Vault stand-in did not bind a port in time")),
        Math.max(1, deadline - Date.now()),
      );
      server.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      server.listen(0, "127.0.0.1", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (err) {
    server.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  const credential: TokenCredential = {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
      tokenRequests.push({ scopes: typeof scopes === "string" ? [scopes] : [...scopes], tenantId: options?.tenantId });
      return { token, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" };
    },
  };

  let stopped: Promise<void> | undefined;
  return {
    vaultUrl: `https://127.0.0.1:${port}`,
    ca: tls.ca,
    caFile: tls.caFile,
    credential,
    clientOptions: { tlsOptions: { ca: tls.ca }, disableChallengeResourceVerification: true },
    requests,
    tokenRequests,
    stop() {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
