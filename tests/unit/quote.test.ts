import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { decodePowerShellCommand, powershellCommand, psQuote, shQuote, systemdQuote } from "../../render/quote.ts";

const nasty = [
  "plain",
  "with space",
  "it's",
  "'",
  "''",
  "$HOME",
  "`id`",
  "$(id)",
  "a\\b",
  'double "q"',
  "semi;colon",
  "glob*?[",
  "new\nline",
  "ümlaut",
  "",
  "-n",
  "%i",
];

describe("shQuote", () => {
  it.each(nasty)("passes %j through sh unchanged", (value) => {
    const result = spawnSync("sh", ["-c", `printf '%s' ${shQuote(value)}`], { encoding: "utf8" });
    expect(result.stdout).toBe(value);
  });
  it("refuses a NUL byte", () => {
    expect(() => shQuote("a\0b")).toThrow("NUL");
  });
});

describe("psQuote", () => {
  it("doubles single quotes, typographic ones included, and expands nothing", () => {
    expect(psQuote("it's $env:X")).toBe("'it''s $env:X'");
    expect(psQuote("a\u2019b")).toBe("'a\u2019\u2019b'");
  });
});

describe("systemdQuote", () => {
  it("escapes specifiers and variables and quotes spaces", () => {
    expect(systemdQuote("50%")).toBe("50%%");
    expect(systemdQuote("$HOME")).toBe("$$HOME");
    expect(systemdQuote('a b"c')).toBe('"a b\\"c"');
    expect(() => systemdQuote("a\nb")).toThrow("control character");
  });
});

describe("powershellCommand", () => {
  it("encodes UTF-16LE base64 that decodes back to the script", () => {
    const script = "# fabric:invoke C:\\x.ps1\n& 'C:\\x.ps1' -Name 'it''s ü'\n";
    const command = powershellCommand(script);
    expect(command).toMatch(/^powershell -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$/);
    expect(decodePowerShellCommand(command)).toBe(script);
  });
});
