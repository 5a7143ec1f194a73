import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";

// Prints the lab stack's config with the host keys the lab generated pinned in:
// `node cli/lab-config.ts Pulumi.lab.yaml .lab/lab.json > .lab/project/Pulumi.lab.yaml`.
const [stackFile = "Pulumi.lab.yaml", labFile = ".lab/lab.json"] = process.argv.slice(2);
const doc = parseDocument(readFileSync(stackFile, "utf8"));
const lab = JSON.parse(readFileSync(labFile, "utf8")) as { hosts: Record<string, { hostKey: string }> };
for (const [host, { hostKey }] of Object.entries(lab.hosts)) {
  if (doc.hasIn(["config", "fabric:hosts", host])) doc.setIn(["config", "fabric:hosts", host, "hostKey"], hostKey);
}
process.stdout.write(doc.toString({ lineWidth: 0 }));
