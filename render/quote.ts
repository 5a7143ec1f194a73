/**
 * The one place values become command text. Every value that lands in a shell, PowerShell
 * or systemd command line goes through one of these; nothing is interpolated bare.
 */

/** POSIX shell: single quotes, with each ' closed, escaped and reopened. */
export function shQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a NUL byte cannot be passed to a shell");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** PowerShell: single-quoted verbatim string; a ' is doubled (also the typographic quotes PowerShell treats as quotes). */
export function psQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a NUL byte cannot be passed to PowerShell");
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/**
 * systemd ExecStart= word: specifiers (%) and variable expansion ($) are escaped, and words
 * with spaces or quotes are double-quoted with C-style escapes.
 */
export function systemdQuote(value: string): string {
  if (/[\0\n\r]/.test(value)) throw new Error("a control character cannot be passed to systemd");
  const escaped = value.replaceAll("%", "%%").replaceAll("$", "$$$$");
  if (/^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/**
 * A PowerShell script as one command line that survives any remote default shell (cmd.exe
 * included): `-EncodedCommand` takes base64 of UTF-16LE, so no quoting crosses cmd.exe.
 */
export function powershellCommand(script: string): string {
  const encoded = Buffer.from(script, "utf16le").toString("base64");
  return `powershell -NoProfile -NonInteractive -EncodedCommand ${encoded}`;
}

/** Decodes what {@link powershellCommand} made (for tests and the lab's stand-in). */
export function decodePowerShellCommand(command: string): string {
  const match = /-EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(command);
  if (match?.[1] === undefined) throw new Error("not an encoded PowerShell command");
  return Buffer.from(match[1], "base64").toString("utf16le");
}
