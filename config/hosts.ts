import { z } from "zod";
import { absolutePosixPath, hostAddress, identifier, port, sshPublicKey, windowsPath } from "./primitives.ts";

export const hostSchema = z.strictObject({
  /** Where SSH reaches the host: its tailnet name or address. */
  address: hostAddress,
  sshPort: port.default(22),
  sshUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/, "must be a user name")
    .default("root"),
  /** Run remote steps through `sudo -n` (the SSH user is not root). */
  sudo: z.boolean().default(false),
  /** The host's public key, pinned: a host that presents another key is refused. */
  hostKey: sshPublicKey.optional(),
  os: z.enum(["linux", "windows-wsl"]),
  gpu: z.enum(["nvidia", "rocm", "none"]),
  /** Where containers' files live (`/podman/apps`, `/flux/apps`). */
  appsDir: absolutePosixPath.optional(),
  /** Where fabric installs its PowerShell scripts on a Windows host. */
  scriptsDir: windowsPath.default("C:\\ProgramData\\fabric"),
  /** A workstation that may be powered off: the rest of the fabric converges without it. */
  optional: z.boolean().default(false),
});

export type HostConfig = z.infer<typeof hostSchema>;

export const hostsSchema = z.record(identifier, hostSchema);
