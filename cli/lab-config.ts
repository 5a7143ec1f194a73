import { existsSync, readFileSync } from "node:fs";
import { parseDocument } from "yaml";

// Prints the lab stack's config: the committed one, with the host keys the lab generated pinned
// in, and the encrypted values of the previous generated file (its salt, SSH key, secrets)
// carried over unless the lab itself is new:
// `node cli/lab-config.ts Pulumi.lab.yaml .lab/lab.json [previous file] > new file`.
const [stackFile = "Pulumi.lab.yaml", labFile = ".lab/lab.json", previousFile] = process.argv.slice(2);
const doc = parseDocument(readFileSync(stackFile, "utf8"));
const lab = JSON.parse(readFileSync(labFile, "utf8")) as { hosts: Record<string, { hostKey: string }> };
for (const [host, { hostKey }] of Object.entries(lab.hosts)) {
  if (doc.hasIn(["config", "fabric:hosts", host])) doc.setIn(["config", "fabric:hosts", host, "hostKey"], hostKey);
}
if (previousFile !== undefined && existsSync(previousFile)) {
  const previous = parseDocument(readFileSync(previousFile, "utf8"));
  const salt = previous.get("encryptionsalt");
  if (salt !== undefined) doc.set("encryptionsalt", salt);
  for (const key of ["fabric:sshPrivateKey", "fabric:secretValues"]) {
    const value = previous.getIn(["config", key], true);
    if (value !== undefined) doc.setIn(["config", key], value);
  }
}
process.stdout.write(doc.toString({ lineWidth: 0 }));
