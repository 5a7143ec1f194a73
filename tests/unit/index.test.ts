import * as pulumi from "@pulumi/pulumi";
import { expect, it } from "vitest";
import { rawStack } from "../support/stacks.ts";

it("an invalid stack config stops the program before any resource, naming the key", async () => {
  const raw = rawStack("akira");
  raw["fabric:roles"]["akira/qwen2.5-7b"].fallbacks = ["akira/qwen2.5-7b"];
  const registered: string[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args.name);
        return { id: args.name, state: args.inputs };
      },
      call: () => ({}),
    },
    "fabric",
    "akira",
    false,
  );
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.stringify(v)])));
  await expect(import("../../index.ts")).rejects.toThrow(
    'Pulumi.akira.yaml: fabric:roles["akira/qwen2.5-7b"].fallbacks[0]: a role cannot fall back to itself',
  );
  expect(registered).toEqual([]);
});
