import * as pulumi from "@pulumi/pulumi";
import type { FirewallRuleConfig } from "../config/firewall.ts";
import { firewallEnsureScript, firewallUndoScript, richRule } from "../render/firewalld.ts";
import type { Host } from "./host.ts";
import { tokens } from "./tokens.ts";

export interface FirewallRichRuleArgs {
  /** A Linux host running firewalld. */
  readonly host: Host;
  readonly rule: FirewallRuleConfig;
}

/** A firewalld rich rule, permanent and live; removed again on delete. */
export class FirewallRichRule extends pulumi.ComponentResource {
  public readonly richRule: string;

  constructor(name: string, args: FirewallRichRuleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(tokens.firewallRichRule, name, {}, opts);
    this.richRule = richRule(args.rule);
    args.host.step(
      `${name}-rule`,
      // A changed rule replaces the step: the new rule is added, then the old one removed.
      { create: firewallEnsureScript(args.rule), delete: firewallUndoScript(args.rule), replaceOn: [this.richRule] },
      { parent: this },
    );
    this.registerOutputs({ richRule: this.richRule });
  }
}
