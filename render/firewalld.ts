import type { FirewallRuleConfig } from "../config/firewall.ts";
import { shQuote } from "./quote.ts";

/** The rich rule admitting `source` to one port, in firewalld's own syntax. */
export function richRule(rule: FirewallRuleConfig): string {
  return `rule family="ipv4" source address="${rule.source}" port port="${rule.port}" protocol="${rule.protocol}" accept`;
}

function zoneArg(rule: FirewallRuleConfig): string {
  return rule.zone === undefined ? "" : ` --zone=${shQuote(rule.zone)}`;
}

/** Adds the rule permanently when missing, then reloads so the running firewall has it too. */
export function firewallEnsureScript(rule: FirewallRuleConfig): string {
  const r = shQuote(richRule(rule));
  return [
    "set -eu",
    "changed=0",
    `if ! firewall-cmd --permanent${zoneArg(rule)} --query-rich-rule=${r} >/dev/null 2>&1; then`,
    `  firewall-cmd --permanent${zoneArg(rule)} --add-rich-rule=${r} >/dev/null`,
    "  changed=1",
    "fi",
    `if ! firewall-cmd${zoneArg(rule)} --query-rich-rule=${r} >/dev/null 2>&1; then`,
    "  firewall-cmd --reload >/dev/null",
    "  changed=1",
    "fi",
    `if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi`,
    "",
  ].join("\n");
}

export function firewallUndoScript(rule: FirewallRuleConfig): string {
  const r = shQuote(richRule(rule));
  return [
    "set -eu",
    `if firewall-cmd --permanent${zoneArg(rule)} --query-rich-rule=${r} >/dev/null 2>&1; then`,
    `  firewall-cmd --permanent${zoneArg(rule)} --remove-rich-rule=${r} >/dev/null`,
    "  firewall-cmd --reload >/dev/null",
    "fi",
    "",
  ].join("\n");
}
