import { z } from "zod";
import { identifier, ipv4Cidr, port } from "./primitives.ts";

/** A firewalld rich rule admitting one source range to one port. */
export const firewallRuleSchema = z.strictObject({
  host: identifier,
  port,
  protocol: z.enum(["tcp", "udp"]).default("tcp"),
  source: ipv4Cidr,
  zone: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/)
    .optional(),
});

export type FirewallRuleConfig = z.infer<typeof firewallRuleSchema>;

export const firewallSchema = z.record(identifier, firewallRuleSchema);
