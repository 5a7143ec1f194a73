import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { HostConfig } from "../config/hosts.ts";
import { asRoot } from "../render/steps.ts";
import {
  installWindowsScriptCommand,
  removeWindowsScriptCommand,
  type WindowsScriptName,
  windowsScriptPath,
  windowsScripts,
} from "../render/windows.ts";
import { tokens } from "./tokens.ts";

export interface HostArgs {
  /** The host's config entry. */
  readonly config: HostConfig;
  /** SSH private key (a secret); without it the SSH agent is used. */
  readonly privateKey?: pulumi.Input<string>;
  /** fabric's PowerShell scripts to install (Windows hosts only). */
  readonly windowsScripts?: readonly WindowsScriptName[];
}

/** One remote step: an idempotent ensure, its undo, and what decides that it runs again. */
export interface StepArgs {
  /** Shell (Linux, run as root) or a `powershell -EncodedCommand` line (Windows). */
  readonly create: string;
  readonly delete?: string;
  /** Content for the step, never on the command line. */
  readonly stdin?: pulumi.Input<string>;
  /**
   * Values whose change replaces the step: the new ensure runs, then the old undo. Only for a
   * step whose undo removes exactly what it made (a firewall rule). Every other change is an
   * input change (stdin, or the ensure's own text) and runs as an update.
   */
  readonly replaceOn?: pulumi.Input<string>[];
  /** The step handles secret values: its stdin and output stay encrypted and unlogged. */
  readonly secret?: boolean;
}

/**
 * A machine fabric converges over SSH: the one connection definition every step on it uses,
 * and, on Windows, fabric's scripts installed once for the other components to call.
 */
export class Host extends pulumi.ComponentResource {
  public readonly hostName: string;
  public readonly config: HostConfig;
  /** The install steps of fabric's Windows scripts; Windows steps depend on them. */
  public readonly scriptsInstalled: pulumi.Resource[];
  private readonly connection: command.types.input.remote.ConnectionArgs;

  constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.host, name, {}, opts);
    this.hostName = name.replace(/^host-/, "");
    this.config = args.config;
    if (args.config.hostKey === undefined) {
      throw new Error(`fabric:hosts.${this.hostName}.hostKey is not pinned: fabric will not connect to an unverified host`);
    }
    this.connection = {
      host: args.config.address,
      port: args.config.sshPort,
      user: args.config.sshUser,
      hostKey: args.config.hostKey,
      // An optional workstation that is off should fail fast, not hold the update for minutes.
      dialErrorLimit: args.config.optional ? 2 : 5,
      perDialTimeout: 10,
      ...(args.privateKey === undefined ? {} : { privateKey: args.privateKey }),
    };
    this.scriptsInstalled = (args.windowsScripts ?? []).map((script) => {
      const path = windowsScriptPath(args.config.scriptsDir, script);
      const content = windowsScripts[script];
      return this.step(`${name}-script-${script.replace(/\.ps1$/, "").toLowerCase()}`, {
        create: installWindowsScriptCommand(path),
        delete: removeWindowsScriptCommand(path),
        stdin: content,
      });
    });
    this.registerOutputs({});
  }

  /**
   * Runs a step on this host. `update` is the same idempotent ensure as `create`, so changed
   * content re-runs it in place. Content hashes are not `triggers`: @pulumi/command 1.2.1's SDK
   * marks triggers replaceOnChanges, and a replacement runs the old undo after the new ensure,
   * taking down what was just converged.
   */
  public step(name: string, args: StepArgs, opts: pulumi.CustomResourceOptions = {}): command.remote.Command {
    const linux = this.config.os === "linux";
    const wrap = (script: string) => (linux ? asRoot(script, this.config.sudo) : script);
    const create = wrap(args.create);
    return new command.remote.Command(
      name,
      {
        connection: this.connection,
        create,
        update: create,
        ...(args.delete === undefined ? {} : { delete: wrap(args.delete) }),
        ...(args.stdin === undefined ? {} : { stdin: args.stdin }),
        ...(args.replaceOn === undefined ? {} : { triggers: args.replaceOn }),
        addPreviousOutputInEnv: false,
        logging: args.secret ? "none" : "stdoutAndStderr",
      },
      {
        parent: this,
        ...opts,
        ...(args.secret ? { additionalSecretOutputs: ["stdin", "stdout", "stderr"] } : {}),
      },
    );
  }
}
