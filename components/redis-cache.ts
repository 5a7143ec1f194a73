import * as pulumi from "@pulumi/pulumi";
import { contentHash } from "../render/hash.ts";
import { ensureFileScript, ensureUnitScript, removeUnitScript, restoreFileScript } from "../render/steps.ts";
import { renderContainerUnit } from "../render/systemd.ts";
import type { Host } from "./host.ts";
import { tokens } from "./tokens.ts";

export interface RedisCacheArgs {
  /** The gateway's host: Redis listens on its loopback only. */
  readonly host: Host;
  /** Directory for redis.conf (beside the gateway's files). */
  readonly dir: string;
  readonly containerName: string;
  readonly image: string;
  readonly port: number;
  /** The password, a secret; it reaches Redis in its 0600 config file, never on a command line. */
  readonly password: pulumi.Output<string>;
  /** uid:gid the image runs Redis as (the official image: 999:999), owner of the config file. */
  readonly owner?: string;
}

/** The Redis beside a gateway whose response cache is on. */
export class RedisCache extends pulumi.ComponentResource {
  public readonly ready: pulumi.Resource[];
  public readonly unitHash: string;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.redisCache, name, {}, opts);
    const confPath = `${args.dir}/redis.conf`;
    const conf = pulumi.secret(
      args.password.apply((password) => {
        if (/[\s"'\\]/.test(password)) throw new Error(`${name}: the Redis password must not contain spaces, quotes or backslashes`);
        return `# Written by fabric.\nbind 127.0.0.1\nport ${args.port}\nprotected-mode yes\nrequirepass ${password}\nsave ""\nappendonly no\n`;
      }),
    );
    const confStep = args.host.step(
      `${name}-conf`,
      {
        create: ensureFileScript({ path: confPath, mode: "0600", owner: args.owner ?? "999:999" }, { restartIfActive: args.containerName }),
        delete: restoreFileScript(confPath),
        stdin: conf,
        secret: true,
      },
      { parent: this },
    );
    const unit = renderContainerUnit({
      description: `fabric: Redis for ${args.containerName.replace(/-redis$/, "")}`,
      containerName: args.containerName,
      image: args.image,
      podmanArgs: ["-v", `${confPath}:/usr/local/etc/redis/redis.conf:ro,z`],
      args: ["redis-server", "/usr/local/etc/redis/redis.conf"],
    });
    this.unitHash = contentHash(unit);
    const unitStep = args.host.step(
      `${name}-unit`,
      {
        create: ensureUnitScript({ unit: args.containerName, dirs: [args.dir], restartOnChange: true }),
        delete: removeUnitScript(args.containerName),
        stdin: unit,
      },
      { parent: this, dependsOn: [confStep] },
    );
    this.ready = [confStep, unitStep];
    this.registerOutputs({});
  }
}
