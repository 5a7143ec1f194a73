import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Captured {
  readonly type: string;
  readonly name: string;
  readonly parent: string | undefined;
  readonly props: Record<string, unknown>;
  readonly dependsOn: string[];
}

/** Mocks the engine: every resource is created with its inputs as its state. */
export function setFabricMocks(stack: string): void {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: () => ({}),
    },
    "fabric",
    stack,
    false,
  );
}

/** A transformation that records every resource of a tree: type, name, parent, inputs, dependsOn. */
export function recorder(): { readonly resources: Captured[]; readonly transformation: pulumi.ResourceTransformation } {
  const resources: Captured[] = [];
  const names = new Map<pulumi.Resource, string>();
  return {
    resources,
    transformation: (args) => {
      names.set(args.resource, args.name);
      const parent = args.opts.parent === undefined ? undefined : names.get(args.opts.parent);
      const deps = args.opts.dependsOn;
      const dependsOn = (Array.isArray(deps) ? deps : deps === undefined ? [] : [deps])
        .map((d) => names.get(d as pulumi.Resource))
        .filter((n): n is string => n !== undefined);
      resources.push({ type: args.type, name: args.name, parent, props: args.props as Record<string, unknown>, dependsOn });
      return undefined;
    },
  };
}

export function resolve<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((done) => {
    pulumi.output(value).apply((v) => {
      done(v as pulumi.Unwrap<T>);
      return v;
    });
  });
}

/** Secret values for a test, made now: none of them exists anywhere else. */
export function generatedSecrets(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `test-${n.toLowerCase()}-${randomBytes(12).toString("hex")}`]));
}

/** The SSH host key every test host presents (public, made up). */
export const testHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq2bmVyLXVzZWQtaW4tYS10ZXN0LW9ubHktcGxhY2Vob2xk";
