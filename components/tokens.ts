/** Type tokens of fabric's components: `fabric:<module>:<Type>`, from one place. */
export const tokens = {
  fabric: "fabric:index:Fabric",
  host: "fabric:host:Host",
  vllmServer: "fabric:vllm:VllmServer",
  windowsPortProxy: "fabric:windows:WindowsPortProxy",
  liteLlmGateway: "fabric:gateway:LiteLlmGateway",
  redisCache: "fabric:gateway:RedisCache",
  keyVaultSecretSync: "fabric:secrets:KeyVaultSecretSync",
  firewallRichRule: "fabric:firewall:FirewallRichRule",
  askCliClient: "fabric:client:AskCliClient",
} as const;
