import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { FabricConfig } from "../../config/load.ts";
import { type Captured, generatedSecrets, recorder, resolve, setFabricMocks, testHostKey } from "../support/mocks.ts";
import { loadOk, pinnedStack, rawStack } from "../support/stacks.ts";

type FabricModule = typeof import("../../components/fabric.ts");
let Fabric: FabricModule["Fabric"];

beforeAll(async () => {
  setFabricMocks("motoko");
  ({ Fabric } = await import("../../components/fabric.ts"));
});

interface Built {
  readonly resources: Captured[];
  readonly secrets: Record<string, string>;
  readonly fabric: InstanceType<FabricModule["Fabric"]>;
}

async function build(config: FabricConfig, name = "fabric"): Promise<Built> {
  const secrets = generatedSecrets(Object.keys(config.secrets.env));
  const { resources, transformation } = recorder();
  const fabric = new Fabric(
    name,
    { config, secretValues: pulumi.secret(secrets), privateKey: pulumi.secret("test-private-key-material") },
    { transformations: [transformation] },
  );
  // Let every apply settle before inspecting inputs.
  await Promise.all(resources.map((r) => resolve(r.props as pulumi.Inputs)));
  return { resources, secrets, fabric };
}

const commands = (b: Built) => b.resources.filter((r) => r.type === "command:remote:Command");
const byName = (b: Built, name: string) => {
  const found = b.resources.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no resource ${name}`);
  return found;
};

describe("the motoko stack's resource graph", () => {
  let built: Built;
  beforeAll(async () => {
    built = await build(pinnedStack("motoko", testHostKey));
  });

  it("has stable names, types and parents", () => {
    const lines = built.resources.map((r) => `${r.type} ${r.name} <- ${r.parent ?? "(stack)"}`).sort();
    expect(lines).toMatchInlineSnapshot(`
      [
        "command:remote:Command backend-armitage-chat-container <- backend-armitage-chat",
        "command:remote:Command backend-motoko-embed-unit <- backend-motoko-embed",
        "command:remote:Command backend-wintermute-chat-container <- backend-wintermute-chat",
        "command:remote:Command firewall-motoko-gateway-rule <- firewall-motoko-gateway",
        "command:remote:Command gateway-motoko-apply <- gateway-motoko",
        "command:remote:Command gateway-motoko-unit <- gateway-motoko",
        "command:remote:Command host-armitage-script-get-fabricstate <- host-armitage",
        "command:remote:Command host-armitage-script-register-fabricportproxytask <- host-armitage",
        "command:remote:Command host-armitage-script-remove-fabricportproxy <- host-armitage",
        "command:remote:Command host-armitage-script-remove-fabricvllm <- host-armitage",
        "command:remote:Command host-armitage-script-set-fabricportproxy <- host-armitage",
        "command:remote:Command host-armitage-script-start-fabricvllm <- host-armitage",
        "command:remote:Command host-wintermute-script-get-fabricstate <- host-wintermute",
        "command:remote:Command host-wintermute-script-register-fabricportproxytask <- host-wintermute",
        "command:remote:Command host-wintermute-script-remove-fabricportproxy <- host-wintermute",
        "command:remote:Command host-wintermute-script-remove-fabricvllm <- host-wintermute",
        "command:remote:Command host-wintermute-script-set-fabricportproxy <- host-wintermute",
        "command:remote:Command host-wintermute-script-start-fabricvllm <- host-wintermute",
        "command:remote:Command portproxy-armitage-chat-proxy <- portproxy-armitage-chat",
        "command:remote:Command portproxy-armitage-chat-task <- portproxy-armitage-chat",
        "command:remote:Command portproxy-wintermute-chat-proxy <- portproxy-wintermute-chat",
        "command:remote:Command portproxy-wintermute-chat-task <- portproxy-wintermute-chat",
        "command:remote:Command secrets-motoko-env <- secrets-motoko",
        "fabric:firewall:FirewallRichRule firewall-motoko-gateway <- host-motoko",
        "fabric:gateway:LiteLlmGateway gateway-motoko <- host-motoko",
        "fabric:host:Host host-armitage <- fabric",
        "fabric:host:Host host-motoko <- fabric",
        "fabric:host:Host host-wintermute <- fabric",
        "fabric:index:Fabric fabric <- (stack)",
        "fabric:secrets:KeyVaultSecretSync secrets-motoko <- gateway-motoko",
        "fabric:vllm:VllmServer backend-armitage-chat <- host-armitage",
        "fabric:vllm:VllmServer backend-motoko-embed <- host-motoko",
        "fabric:vllm:VllmServer backend-wintermute-chat <- host-wintermute",
        "fabric:windows:WindowsPortProxy portproxy-armitage-chat <- host-armitage",
        "fabric:windows:WindowsPortProxy portproxy-wintermute-chat <- host-wintermute",
      ]
    `);
  });

  it("restarts the gateway only after its unit and its .env are in place", () => {
    expect(byName(built, "gateway-motoko-apply").dependsOn.sort()).toEqual(["gateway-motoko-unit", "secrets-motoko-env"]);
  });

  it("runs Windows steps after fabric's scripts are installed on that host", () => {
    expect(byName(built, "portproxy-armitage-chat-proxy").dependsOn).toContain("host-armitage-script-set-fabricportproxy");
    expect(byName(built, "portproxy-armitage-chat-proxy").dependsOn).not.toContain("host-wintermute-script-set-fabricportproxy");
  });

  it("makes no step depend on another host's steps, so hosts converge in parallel", () => {
    const hostOf = (name: string): string | undefined => {
      const r = built.resources.find((x) => x.name === name);
      if (r === undefined || r.type === "fabric:host:Host") return r?.name;
      return r.parent === undefined ? undefined : hostOf(r.parent);
    };
    for (const c of commands(built)) {
      for (const d of c.dependsOn) expect(hostOf(d), `${c.name} -> ${d}`).toBe(hostOf(c.name));
    }
  });

  it("pins the host key and connects to each host's own address", async () => {
    const connection = (await resolve(
      byName(built, "gateway-motoko-apply").props.connection as pulumi.Input<Record<string, unknown>>,
    )) as Record<string, unknown>;
    expect(connection).toMatchObject({ host: "motoko.pangolin-vega.ts.net", user: "mdt", hostKey: testHostKey });
  });

  it("uses triggers (which replace) only where the old undo removes just its own: firewall rules", () => {
    const withTriggers = commands(built)
      .filter((c) => c.props.triggers !== undefined)
      .map((c) => c.name);
    expect(withTriggers).toEqual(["firewall-motoko-gateway-rule"]);
  });

  it("re-runs a changed step as an update: every command has update = create", async () => {
    for (const c of commands(built)) {
      expect(await resolve(c.props.update as pulumi.Input<string>), c.name).toBe(await resolve(c.props.create as pulumi.Input<string>));
    }
  });

  it("marks every secret-bearing input secret", async () => {
    const env = byName(built, "secrets-motoko-env").props;
    expect(await pulumi.isSecret(pulumi.output(env.stdin))).toBe(true);
    expect(await resolve(env.logging as pulumi.Input<string>)).toBe("none");
    const connection = byName(built, "gateway-motoko-apply").props.connection as Record<string, unknown>;
    expect(await pulumi.isSecret(pulumi.output(connection.privateKey))).toBe(true);
  });

  it("puts no secret value in any command line or non-secret input or output", async () => {
    const values = Object.values(built.secrets);
    expect(values.length).toBeGreaterThan(0);
    for (const c of commands(built)) {
      for (const key of ["create", "update", "delete"]) {
        const text = String((await resolve(c.props[key] as pulumi.Input<string>)) ?? "");
        for (const v of values) expect(text.includes(v), `${c.name}.${key}`).toBe(false);
      }
      if (!(await pulumi.isSecret(pulumi.output(c.props.stdin)))) {
        const stdin = String((await resolve(c.props.stdin as pulumi.Input<string>)) ?? "");
        for (const v of values) expect(stdin.includes(v), `${c.name}.stdin`).toBe(false);
      }
    }
    const outputs = JSON.stringify({ gateways: built.fabric.gateways, backends: built.fabric.backends });
    for (const v of values) expect(outputs.includes(v)).toBe(false);
  });

  it("writes the .env with all secret values, on stdin", async () => {
    const stdin = await resolve(byName(built, "secrets-motoko-env").props.stdin as pulumi.Input<string>);
    for (const [env, value] of Object.entries(built.secrets)) expect(stdin).toContain(`${env}=${value}\n`);
  });

  it("exports each gateway's URL and the model names it serves", () => {
    expect(built.fabric.gateways.motoko).toEqual({
      host: "motoko",
      url: "http://motoko.pangolin-vega.ts.net:8000/v1",
      readinessUrl: "http://127.0.0.1:8000/health/readiness",
      models: ["chat-deep", "chat-fast", "embeddings-general", "local/reasoner", "local/chat", "local/embed", "openai/strong"],
    });
  });
});

describe("config changes", () => {
  const inputsOf = async (b: Built) =>
    Object.fromEntries(
      await Promise.all(
        commands(b).map(async (c) => [c.name, await resolve({ create: c.props.create, stdin: c.props.stdin } as pulumi.Inputs)] as const),
      ),
    );

  it("reordering hosts, backends and roles changes no resource and no input", async () => {
    const raw = rawStack("motoko");
    const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
    for (const key of ["fabric:hosts", "fabric:backends", "fabric:roles"]) raw[key] = reversed(raw[key]);
    for (const host of Object.values(raw["fabric:hosts"] as Record<string, { hostKey?: string }>)) host.hostKey = testHostKey;
    raw["fabric:gateways"].motoko.models.reverse();
    const before = await inputsOf(await build(pinnedStack("motoko", testHostKey), "fabric-a"));
    const after = await inputsOf(await build(loadOk(raw), "fabric-b"));
    // Secret stdin differs by the generated values only; compare what is not secret.
    const plain = (m: Record<string, Record<string, unknown>>) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, k.startsWith("secrets-") ? v["create"] : v]));
    expect(plain(after)).toEqual(plain(before));
  });

  it("changing a role's model changes only the gateway's apply", async () => {
    const raw = rawStack("motoko");
    for (const host of Object.values(raw["fabric:hosts"] as Record<string, { hostKey?: string }>)) host.hostKey = testHostKey;
    raw["fabric:backends"]["motoko-embed"].servedName = "bge-large-en-v1.5";
    const before = await inputsOf(await build(pinnedStack("motoko", testHostKey), "fabric-c"));
    const after = await inputsOf(await build(loadOk(raw), "fabric-d"));
    const changed = Object.keys(after).filter(
      (k) => k.startsWith("secrets-") === false && JSON.stringify(after[k]) !== JSON.stringify(before[k]),
    );
    expect(changed.sort()).toEqual(["backend-motoko-embed-unit", "gateway-motoko-apply"]);
  });
});

describe("hosts", () => {
  it("a host without a pinned key stops the program with the key's path", async () => {
    const config = loadOk(rawStack("akira"));
    await expect(build(config, "fabric-unpinned")).rejects.toThrow("fabric:hosts.akira.hostKey is not pinned");
  });
});

describe("the akira stack's resource graph", () => {
  it("fences the gateway with the rich rule and writes ask-cli settings with the key as a secret", async () => {
    const built = await build(pinnedStack("akira", testHostKey), "fabric-akira");
    const names = built.resources.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(["firewall-akira-litellm-rule", "client-akira-env", "client-motoko-env", "gateway-akira-apply"]),
    );
    const rule = await resolve(byName(built, "firewall-akira-litellm-rule").props.create as pulumi.Input<string>);
    expect(rule).toContain(`'rule family="ipv4" source address="100.64.0.0/10" port port="4000" protocol="tcp" accept'`);
    const client = byName(built, "client-motoko-env").props;
    expect(await pulumi.isSecret(pulumi.output(client.stdin))).toBe(true);
    expect(await resolve(client.create as pulumi.Input<string>)).toContain("chmod 0600");
    expect(byName(built, "client-motoko-env").parent).toBe("client-motoko");
  });
});

describe("a gateway with the Redis cache on", () => {
  it("starts Redis first, with its password only on stdin", async () => {
    const raw = rawStack("motoko");
    for (const host of Object.values(raw["fabric:hosts"] as Record<string, { hostKey?: string }>)) host.hostKey = testHostKey;
    raw["fabric:gateways"].motoko.cache = {
      enabled: true,
      redis: { image: "docker.io/library/redis:7.2.5", passwordEnv: "REDIS_PASSWORD" },
    };
    raw["fabric:secrets"].env.REDIS_PASSWORD = "redis-password";
    const built = await build(loadOk(raw), "fabric-redis");
    expect(byName(built, "gateway-motoko-apply").dependsOn.sort()).toEqual([
      "gateway-motoko-unit",
      "redis-motoko-conf",
      "redis-motoko-unit",
      "secrets-motoko-env",
    ]);
    const conf = byName(built, "redis-motoko-conf").props;
    expect(await pulumi.isSecret(pulumi.output(conf.stdin))).toBe(true);
    expect(await resolve(conf.stdin as pulumi.Input<string>)).toContain(`requirepass ${built.secrets.REDIS_PASSWORD}\n`);
    const unit = await resolve(byName(built, "redis-motoko-unit").props.stdin as pulumi.Input<string>);
    expect(unit).not.toContain(built.secrets.REDIS_PASSWORD);
    expect(unit).toContain("redis-server /usr/local/etc/redis/redis.conf");
  });
});
