import { shQuote } from "./quote.ts";

/**
 * POSIX shell for each Linux host step. Every step is an idempotent "ensure" (safe to run
 * again) with an "undo" for delete. Content arrives on stdin, is written to a temp file
 * beside its target and moved into place, so a reader never sees half a file. The first
 * time fabric replaces a file it did not write (no `# Written by fabric` first line), it
 * keeps the original as `<file>.pre-fabric`; undo puts it back.
 */

export interface FileSpec {
  readonly path: string;
  /** Octal, e.g. "0600". */
  readonly mode: string;
  /** `user` or `user:group` (numeric ids work too). */
  readonly owner: string;
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";

/** Every file fabric writes starts with this line; a file without it was there before fabric. */
export const fabricHeader = "# Written by fabric";

/** Shell test: the (quoted) file was written by fabric, so it is not an original to keep. */
const writtenByFabric = (quotedPath: string) => `head -n 1 ${quotedPath} | grep -q '^${fabricHeader}'`;

/** Shell lines that write stdin to `target` (via `target.fabric-tmp.*`) and set `changed=1` when it differs. */
function writeStdinLines(file: FileSpec, target: string): string[] {
  const p = shQuote(target);
  return [
    `mkdir -p ${shQuote(dirOf(target))}`,
    "umask 077",
    `tmp=$(mktemp ${shQuote(`${target}.fabric-tmp.XXXXXX`)})`,
    `trap 'rm -f "$tmp"' EXIT`,
    `cat >"$tmp"`,
    `chown ${shQuote(file.owner)} "$tmp"`,
    `chmod ${file.mode} "$tmp"`,
    "changed=0",
    `if [ -f ${p} ] && cmp -s "$tmp" ${p} && [ "$(stat -c '%a %U:%G %u:%g' ${p})" = "$(stat -c '%a %U:%G %u:%g' "$tmp")" ]; then`,
    `  rm -f "$tmp"`,
    "else",
    `  if [ -e ${p} ] && [ ! -e ${shQuote(`${target}.pre-fabric`)} ] && ! ${writtenByFabric(p)}; then cp -p ${p} ${shQuote(`${target}.pre-fabric`)}; fi`,
    `  mv -f "$tmp" ${p}`,
    "  changed=1",
    "fi",
    "trap - EXIT",
  ];
}

/**
 * Writes stdin to a file (mode and owner set before it appears). Prints `changed` or
 * `unchanged`; with `restartIfActive`, a running unit that reads the file restarts on a change.
 */
export function ensureFileScript(file: FileSpec, options: { readonly restartIfActive?: string } = {}): string {
  const restart = options.restartIfActive;
  return [
    "set -eu",
    ...writeStdinLines(file, file.path),
    ...(restart === undefined
      ? []
      : [`if [ "$changed" = 1 ] && systemctl is-active --quiet ${shQuote(restart)}; then systemctl restart ${shQuote(restart)}; fi`]),
    `if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi`,
    "",
  ].join("\n");
}

/** Undo of {@link ensureFileScript}: the original comes back if fabric replaced one, else the file goes. */
export function restoreFileScript(path: string): string {
  const p = shQuote(path);
  const orig = shQuote(`${path}.pre-fabric`);
  return ["set -eu", `if [ -e ${orig} ]; then mv -f ${orig} ${p}; else rm -f ${p}; fi`, ""].join("\n");
}

/** Bounded wait for a unit to report active. */
function waitActiveLines(unit: string, seconds: number): string[] {
  return [
    `i=0; while ! systemctl is-active --quiet ${shQuote(unit)}; do`,
    `  i=$((i + 1)); if [ "$i" -gt ${seconds} ]; then echo "${unit} not active after ${seconds}s" >&2; systemctl status ${shQuote(unit)} >&2 || true; exit 1; fi`,
    "  sleep 1",
    "done",
  ];
}

export interface UnitStep {
  readonly unit: string;
  /** Directories the container mounts, created before it starts. */
  readonly dirs: readonly string[];
  /** Restart the service when the unit changed (vLLM, Redis). The gateway restarts in its gated apply instead. */
  readonly restartOnChange: boolean;
  /** Without a restart here, a changed unit leaves this file for the gated apply to act on. */
  readonly pendingRestartFile?: string;
}

export const unitPath = (unit: string) => `/etc/systemd/system/${unit}.service`;

/** Writes a unit file from stdin, reloads systemd, enables it, and (re)starts it when asked. */
export function ensureUnitScript(step: UnitStep): string {
  const u = shQuote(step.unit);
  return [
    "set -eu",
    ...step.dirs.map((d) => `mkdir -p ${shQuote(d)}`),
    ...writeStdinLines({ path: unitPath(step.unit), mode: "0644", owner: "root:root" }, unitPath(step.unit)),
    `if [ "$changed" = 1 ]; then systemctl daemon-reload; fi`,
    ...(step.pendingRestartFile === undefined ? [] : [`if [ "$changed" = 1 ]; then : >${shQuote(step.pendingRestartFile)}; fi`]),
    `systemctl enable ${u} >/dev/null 2>&1 || systemctl enable ${u}`,
    ...(step.restartOnChange
      ? [`if [ "$changed" = 1 ] || ! systemctl is-active --quiet ${u}; then systemctl restart ${u}; fi`, ...waitActiveLines(step.unit, 60)]
      : []),
    `if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi`,
    "",
  ].join("\n");
}

/** Stops and disables the unit, then puts back the unit file fabric replaced (or removes it). */
export function removeUnitScript(unit: string): string {
  const u = shQuote(unit);
  const path = unitPath(unit);
  return [
    "set -eu",
    // stop, then disable: `disable --now` does not stop everywhere (and reports success).
    `systemctl stop ${u} >/dev/null 2>&1 || true`,
    `systemctl disable ${u} >/dev/null 2>&1 || true`,
    `if [ -e ${shQuote(`${path}.pre-fabric`)} ]; then`,
    `  mv -f ${shQuote(`${path}.pre-fabric`)} ${shQuote(path)}`,
    "  systemctl daemon-reload",
    `  systemctl enable --now ${u} >/dev/null 2>&1 || true`,
    "else",
    `  rm -f ${shQuote(path)}`,
    "  systemctl daemon-reload",
    "fi",
    "",
  ].join("\n");
}

export interface GatewayFile {
  readonly appDir: string;
  readonly unit: string;
  readonly containerName: string;
  /** Where readiness is polled: `http://127.0.0.1:4000/health/readiness`. */
  readonly readinessUrl: string;
  readonly readinessTimeoutSeconds: number;
  /** The file this step owns in appDir (`config.yaml`, `.env`). */
  readonly file: string;
  readonly mode: string;
  /**
   * `config`: restart when the file changed, when the unit changed, or when the gateway is
   * down (it is what starts the gateway). `secrets`: restart only a running gateway (on the
   * first converge the config step starts it after the `.env` is in place).
   */
  readonly role: "config" | "secrets";
  /** The unit file's hash, so a unit change alone re-runs the config step (which restarts). */
  readonly unitHash?: string;
}

/** Left by the unit step when the gateway's unit changed: the config step restarts for it. */
export const gatewayRestartPending = ".restart-pending";

/**
 * Health-gated apply of one gateway file. The content arrives on stdin and is staged as
 * `<file>.next`; if it differs from the live file, the live one is kept as `<file>.prev` (and,
 * the first time, as `.pre-fabric` when fabric did not write it), the new one swapped in, the
 * gateway restarted, and readiness polled until a deadline. When the gateway does not come
 * up, the previous file goes back, it restarts on it, the new one stays staged (so the next
 * run tries it again instead of reporting success), and the step fails with the gateway's own
 * last words, every secret value masked.
 */
export function gatewayFileScript(g: GatewayFile): string {
  const u = shQuote(g.unit);
  const f = shQuote(g.file);
  const restartWhen =
    g.role === "config"
      ? `[ "$changed" = 1 ] || [ -e "$dir/${gatewayRestartPending}" ] || ! systemctl is-active --quiet ${u}`
      : `[ "$changed" = 1 ] && systemctl is-active --quiet ${u}`;
  return [
    ...(g.unitHash === undefined ? [] : [`# for unit ${g.unit} ${g.unitHash}`]),
    "set -eu",
    `dir=${shQuote(g.appDir)}`,
    `f=${f}`,
    `mkdir -p "$dir"`,
    "umask 077",
    `tmp=$(mktemp "$dir/$f.fabric-tmp.XXXXXX")`,
    `trap 'rm -f "$tmp"' EXIT`,
    `cat >"$tmp"`,
    `chown root:root "$tmp"`,
    `chmod ${g.mode} "$tmp"`,
    `mv -f "$tmp" "$dir/$f.next"`,
    "trap - EXIT",
    "changed=0",
    `if [ -e "$dir/$f" ] && cmp -s "$dir/$f.next" "$dir/$f" && [ "$(stat -c '%a' "$dir/$f")" = "$(stat -c '%a' "$dir/$f.next")" ]; then`,
    `  rm -f "$dir/$f.next"`,
    "else",
    `  if [ -e "$dir/$f" ]; then`,
    `    [ -e "$dir/$f.pre-fabric" ] || ${writtenByFabric('"$dir/$f"')} || cp -p "$dir/$f" "$dir/$f.pre-fabric"`,
    `    cp -p "$dir/$f" "$dir/$f.prev"`,
    "  else",
    `    rm -f "$dir/$f.prev"`,
    "  fi",
    `  mv -f "$dir/$f.next" "$dir/$f"`,
    "  changed=1",
    "fi",
    `if ! { ${restartWhen}; }; then`,
    `  if [ "$changed" = 1 ]; then echo "changed (${g.unit} not running: it starts with its config)"; else echo unchanged; fi`,
    "  exit 0",
    "fi",
    "ready() {",
    `  end=$(( $(date +%s) + ${g.readinessTimeoutSeconds} ))`,
    `  while [ "$(date +%s)" -lt "$end" ]; do`,
    `    if curl -fs -o /dev/null --max-time 2 ${shQuote(g.readinessUrl)}; then return 0; fi`,
    "    sleep 1",
    "  done",
    "  return 1",
    "}",
    `systemctl restart ${u}`,
    `if ready; then rm -f "$dir/${gatewayRestartPending}"; echo "applied $f, ${g.unit} ready"; exit 0; fi`,
    `logs=$(podman logs --tail 60 ${shQuote(g.containerName)} 2>&1 || systemctl status ${u} 2>&1 || true)`,
    `if [ "$changed" = 1 ]; then`,
    `  mv -f "$dir/$f" "$dir/$f.next"`,
    `  if [ -e "$dir/$f.prev" ]; then mv -f "$dir/$f.prev" "$dir/$f"; fi`,
    `  systemctl restart ${u} || true`,
    "  ready || true",
    "fi",
    `echo "gateway ${g.unit} was not ready within ${g.readinessTimeoutSeconds}s; the previous $f is back and the new one stays staged as $f.next" >&2`,
    `echo ${shQuote(`--- last lines of ${g.containerName} ---`)} >&2`,
    // Every value of the old and the new .env is masked in what the gateway printed.
    "set --",
    `for e in .env .env.next; do if [ -r "$dir/$e" ]; then set -- "$@" "$dir/$e"; fi; done`,
    `printf '%s\\n' "$logs" | awk 'FILENAME != "-" { i = index($0, "="); if (i > 0 && substr($0, 1, 1) != "#" && length($0) > i) secret[++n] = substr($0, i + 1); next } { for (k = 1; k <= n; k++) { while ((p = index($0, secret[k])) > 0) $0 = substr($0, 1, p - 1) "***" substr($0, p + length(secret[k])) } print }' "$@" - >&2`,
    "exit 1",
    "",
  ].join("\n");
}

/** Undo of a gateway file step: put back what fabric replaced, remove what it made. */
export function gatewayFileRemoveScript(g: { readonly appDir: string; readonly file: string }): string {
  return [
    "set -eu",
    `dir=${shQuote(g.appDir)}`,
    `f=${shQuote(g.file)}`,
    `rm -f "$dir/$f.next" "$dir/$f.prev" "$dir/${gatewayRestartPending}"`,
    `if [ -e "$dir/$f.pre-fabric" ]; then mv -f "$dir/$f.pre-fabric" "$dir/$f"; else rm -f "$dir/$f"; fi`,
    "",
  ].join("\n");
}

/** Runs a script as root: directly when the SSH user is root, else through passwordless sudo. */
export function asRoot(script: string, sudo: boolean): string {
  return sudo ? `sudo -n sh -c ${shQuote(script)}` : script;
}
