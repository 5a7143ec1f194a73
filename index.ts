import { DefaultAzureCredential } from "@azure/identity";
import * as pulumi from "@pulumi/pulumi";
import { Fabric } from "./components/fabric.ts";
import { configSource, keyVaultSource, readSecretValues, type SecretSource } from "./components/secret-sources.ts";
import { secretKeys } from "./config/load.ts";
import { loadStackConfig } from "./config/pulumi.ts";
import { vaultUrlOf } from "./config/secrets.ts";

const config = loadStackConfig();
const stackConfig = new pulumi.Config("fabric");

function secretSource(): SecretSource {
  if (config.secrets.source === "config") {
    const json = pulumi.runtime.getConfig(`fabric:${secretKeys.secretValues}`) ?? "{}";
    return configSource(JSON.parse(json) as Record<string, string>);
  }
  return keyVaultSource(vaultUrlOf(config.secrets.vault ?? ""), new DefaultAzureCredential());
}

// Read before any resource exists: a missing secret stops the program with nothing applied.
const secretValues =
  Object.keys(config.secrets.env).length === 0
    ? pulumi.secret({} as Record<string, string>)
    : await readSecretValues(secretSource(), config.secrets.env, {
        dryRun: pulumi.runtime.isDryRun(),
        warn: (message) => pulumi.log.warn(message),
      });

const privateKey = stackConfig.getSecret(secretKeys.sshPrivateKey);
const fabric = new Fabric("fabric", { config, secretValues, ...(privateKey === undefined ? {} : { privateKey }) });

/** Per gateway: URL, readiness URL and the model names it serves. */
export const gateways = fabric.gateways;
/** Per backend: host, URL, served model name, task; read by `npm run health`. */
export const backends = fabric.backends;
