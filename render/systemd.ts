import { systemdQuote } from "./quote.ts";

/** A container run by podman under a systemd service. */
export interface ContainerUnit {
  readonly description: string;
  readonly containerName: string;
  readonly image: string;
  /** podman run options before the image (`--device …`, `-v …`). */
  readonly podmanArgs: readonly string[];
  /** Arguments after the image (the container's command). */
  readonly args: readonly string[];
  readonly envFile?: string;
  readonly after?: readonly string[];
}

export const podmanPath = "/usr/bin/podman";

/**
 * The unit file for a podman container. `--replace` takes over a container of the same name
 * (a host converged by hand or by Ansible), and `--rm` leaves nothing behind on stop.
 */
export function renderContainerUnit(unit: ContainerUnit): string {
  const run = [
    podmanPath,
    "run",
    "--rm",
    "--replace",
    "--name",
    unit.containerName,
    "--network",
    "host",
    ...(unit.envFile === undefined ? [] : ["--env-file", unit.envFile]),
    ...unit.podmanArgs,
    unit.image,
    ...unit.args,
  ];
  const after = ["network-online.target", ...(unit.after ?? [])].join(" ");
  return [
    "# Written by fabric. Edits here are drift: change the stack config instead.",
    "[Unit]",
    `Description=${unit.description}`,
    "Wants=network-online.target",
    `After=${after}`,
    "",
    "[Service]",
    "Type=simple",
    `ExecStartPre=-${podmanPath} rm -f --ignore ${systemdQuote(unit.containerName)}`,
    `ExecStart=${run.map(systemdQuote).join(" ")}`,
    `ExecStop=${podmanPath} stop --ignore -t 10 ${systemdQuote(unit.containerName)}`,
    "Restart=on-failure",
    "RestartSec=5",
    "TimeoutStartSec=900",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
