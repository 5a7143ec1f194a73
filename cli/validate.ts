import { formatProblem } from "../config/load.ts";
import { loadStack, runCli } from "./stack.ts";

// `npm run validate -- <stack-or-file>…`: exit 0 when every one is valid, else 1 with one line per problem.
runCli("npm run validate -- <stack-or-file>...", (targets) => {
  let failed = false;
  for (const target of targets) {
    const result = loadStack(target);
    if (!result.ok) {
      failed = true;
      for (const line of result.lines) console.error(line);
      continue;
    }
    for (const w of result.warnings) console.error(`warning: ${formatProblem(w)}`);
    console.log(`${result.file}: valid`);
  }
  return failed ? 1 : 0;
});
