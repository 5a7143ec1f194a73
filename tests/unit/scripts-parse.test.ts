import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Language, type Node, Parser } from "web-tree-sitter";
import { renderedArtifacts } from "../support/rendered.ts";
import { allStacks, pinnedStack } from "../support/stacks.ts";

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq2bmVyLXVzZWQtaW4tYS10ZXN0LW9ubHktcGxhY2Vob2xk";
const artifacts = allStacks.flatMap((stack) => renderedArtifacts(pinnedStack(stack, hostKey)).map((a) => ({ ...a, stack })));
const dir = mkdtempSync(join(tmpdir(), "fabric-parse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let unitDirs = 0;
const freshUnitDir = () => {
  const d = join(dir, `units-${unitDirs++}`);
  mkdirSync(d);
  return d;
};
const fileOf = (a: { stack: string; name: string; text: string }) => {
  const file = join(dir, `${a.stack}-${a.name}`);
  writeFileSync(file, a.text);
  return file;
};
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

describe("rendered shell", () => {
  const scripts = artifacts.filter((a) => a.kind === "sh");
  it.each(scripts.map((a) => [`${a.stack}/${a.name}`, a] as const))("%s parses under bash -n and passes shellcheck", (_, a) => {
    const file = fileOf(a);
    const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
    expect(syntax.stderr).toBe("");
    expect(syntax.status).toBe(0);
    const lint = spawnSync("shellcheck", ["--shell=sh", "--severity=style", file], { encoding: "utf8" });
    expect(lint.error, "shellcheck must be installed (apt-get install shellcheck)").toBeUndefined();
    expect(lint.stdout).toBe("");
    expect(lint.status).toBe(0);
  });
});

describe("rendered PowerShell", () => {
  let parser: Parser;
  beforeAll(async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
    parser = new Parser();
    parser.setLanguage(language);
  });
  const errorsOf = (node: Node): string[] => {
    const here = node.isError || node.isMissing ? [`${node.type} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}`] : [];
    return [...here, ...node.children.filter((c): c is Node => c !== null).flatMap(errorsOf)];
  };
  it("the parser finds errors in broken PowerShell (so a clean parse means something)", () => {
    const tree = parser.parse("param(\n  [string]$Name\nif ($x -eq { \n");
    expect(tree?.rootNode.hasError).toBe(true);
  });
  const scripts = artifacts.filter((a) => a.kind === "ps1");
  it.each(scripts.map((a) => [`${a.stack}/${a.name}`, a] as const))("%s parses without error", (_, a) => {
    const tree = parser.parse(a.text);
    expect(tree).not.toBeNull();
    expect(errorsOf(tree?.rootNode as Node)).toEqual([]);
  });
});

describe.skipIf(!has("systemd-analyze"))("rendered units", () => {
  const units = artifacts.filter((a) => a.kind === "service");
  it.each(units.map((a) => [`${a.stack}/${a.name}`, a] as const))("%s passes systemd-analyze verify", (_, a) => {
    const unitDir = freshUnitDir();
    const file = join(unitDir, a.name.endsWith(".service") ? a.name.replace(/^.*?([^/]+)$/, "$1") : `${a.name}.service`);
    writeFileSync(file, a.text);
    const result = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
    // podman may be absent where the tests run; every other complaint is a defect.
    const complaints = result.stderr
      .split("\n")
      .filter(
        (l) =>
          l.trim() !== "" && !/\/usr\/bin\/podman/.test(l) && !/Failed to prepare filename|Unit .* has a bad unit file setting/.test(l),
      );
    expect(complaints).toEqual([]);
  });
  it("systemd-analyze rejects a broken unit (so a pass means something)", () => {
    const unitDir = freshUnitDir();
    const file = join(unitDir, "broken.service");
    writeFileSync(file, "[Service]\nExecStart=relative/path\nBogusKey=1\n");
    const result = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
    expect(result.stderr).toMatch(/BogusKey|not absolute|relative/i);
  });
});
