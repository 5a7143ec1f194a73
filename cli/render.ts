import { renderLiteLlmConfig } from "../render/litellm.ts";
import { loadStack, runCli } from "./stack.ts";

// `npm run render -- <stack> [gateway]`: the LiteLLM config each gateway of the stack would get.
runCli("npm run render -- <stack-or-file> [gateway]", ([target = "", only]) => {
  const result = loadStack(target);
  if (!result.ok) {
    for (const line of result.lines) console.error(line);
    return 1;
  }
  const ids = Object.keys(result.config.gateways).filter((id) => only === undefined || id === only);
  if (ids.length === 0) {
    console.error(`${result.file}: no gateway${only === undefined ? "" : ` '${only}'`}`);
    return 1;
  }
  for (const id of ids) {
    if (ids.length > 1) console.log(`# --- gateway ${id} (${result.config.gateways[id]?.host}) ---`);
    process.stdout.write(renderLiteLlmConfig(result.config, id));
  }
  return 0;
});
