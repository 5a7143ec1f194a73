import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Brings the lab up for the e2e tests when it is not already, and takes it down afterwards
 * (only if this run started it: a developer's running lab is left as it was).
 */
export default function setup(): () => void {
  const ours = !existsSync(".lab/lab.json");
  if (ours) execFileSync("lab/up.sh", { stdio: "inherit", timeout: 1_800_000 });
  return () => {
    if (ours) execFileSync("lab/down.sh", { stdio: "inherit", timeout: 600_000 });
  };
}
