/**
 * An env file as podman's `--env-file` and systemd's `EnvironmentFile=` both read it: one
 * `NAME=value` a line, the value taken literally. Values that would not survive that format
 * are refused rather than mangled.
 */
export function renderEnvFile(values: Readonly<Record<string, string>>): string {
  const lines = Object.keys(values)
    .sort()
    .map((name) => {
      const value = values[name] ?? "";
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`'${name}' is not an environment variable name`);
      if (/[\0\r\n]/.test(value)) throw new Error(`the value of ${name} contains a line break or NUL`);
      return `${name}=${value}`;
    });
  return `${["# Written by fabric from the secrets map. Mode 0600.", ...lines].join("\n")}\n`;
}
