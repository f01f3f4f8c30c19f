/**
 * What every agent's composition root does the same way: the options beyond `commonOptions` (contract
 * addresses, HTTP host, transaction timeouts), the logger, the key, the chain client and the HTTP server.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

import { type SuiteAddresses, loadAddresses } from "./addresses.js";
import { commonOptions, option, resolvePrivateKey, v, type Secret } from "./config.js";
import { type Logger, type LogLevel, makeLogger } from "./log.js";
import { makeChainClient, type ChainClient } from "../../chain/index.js";

export const agentOptions = {
  ...commonOptions,
  addresses: option({
    description:
      "the suite's contract addresses: Ignition's deployed_addresses.json or a flat {token, stake, health, set, …} " +
      "file (default: deploy/deployments/chain-<chain id>/deployed_addresses.json)",
    example: "deploy/deployments/chain-31337/deployed_addresses.json",
    optional: true,
    parse: v.string(),
  }),
  httpHost: option({
    description:
      "address the /metrics and /healthz server listens on (keep 127.0.0.1 unless a proxy fronts it)",
    example: "127.0.0.1",
    default: "127.0.0.1",
    parse: v.string(),
  }),
  rpcCooldownMs: option({
    description: "how long a failing RPC endpoint is skipped",
    example: "30s",
    default: 30_000,
    parse: v.duration({ minMs: 10 }),
  }),
  staleHeadMs: option({
    description: "skip an RPC endpoint whose head has not moved for this long (0 = off, for dev chains)",
    example: "60s",
    default: 0,
    parse: v.duration(),
  }),
  txStuckAfterMs: option({
    description: "no receipt for this long → replace the transaction with fees raised by 12%",
    example: "30s",
    default: 30_000,
    parse: v.duration({ minMs: 100 }),
  }),
  txTimeoutMs: option({
    description: "stop waiting for a receipt after this long (the intent log resumes it next tick)",
    example: "2m",
    default: 120_000,
    parse: v.duration({ minMs: 100 }),
  }),
  txPollMs: option({
    description: "receipt polling interval",
    example: "1s",
    default: 1_000,
    parse: v.duration({ minMs: 10 }),
  }),
  shutdownTimeoutMs: option({
    description: "on SIGTERM, how long the tick in flight may take to finish",
    example: "30s",
    default: 30_000,
    parse: v.duration({ minMs: 10 }),
  }),
};

export interface AgentConfigBase {
  rpcUrls: string[];
  chainId: bigint;
  keyFile?: string | undefined;
  privateKey?: Secret | undefined;
  intentLog: string;
  maxFeePerGas: bigint;
  rpcTimeoutMs: number;
  logLevel: LogLevel;
  addresses?: string | undefined;
  rpcCooldownMs: number;
  staleHeadMs: number;
  txStuckAfterMs: number;
  txTimeoutMs: number;
  txPollMs: number;
}

export interface AgentBase {
  log: Logger;
  key: Secret;
  addresses: SuiteAddresses;
}

/** Resolves the key and the addresses (ConfigError on a problem) and makes the logger. */
export async function prepareAgent(name: string, config: AgentConfigBase): Promise<AgentBase> {
  const key = resolvePrivateKey(config);
  const addresses = await loadAddresses(config.addresses, config.chainId);
  const log = makeLogger({ level: config.logLevel, fields: { agent: name } });
  return { log, key, addresses };
}

export async function connectChain(config: AgentConfigBase, base: AgentBase): Promise<ChainClient> {
  if (config.intentLog !== ":memory:") mkdirSync(dirname(config.intentLog), { recursive: true, mode: 0o700 });
  return await makeChainClient({
    urls: config.rpcUrls,
    chainId: config.chainId,
    privateKey: base.key.reveal(),
    intentLogPath: config.intentLog,
    maxFeePerGasCap: config.maxFeePerGas,
    rpc: {
      timeoutMs: config.rpcTimeoutMs,
      cooldownMs: config.rpcCooldownMs,
      staleHeadMs: config.staleHeadMs,
      pollingIntervalMs: Math.min(4_000, config.txPollMs * 2),
    },
    sender: { stuckAfterMs: config.txStuckAfterMs, maxWaitMs: config.txTimeoutMs, pollMs: config.txPollMs },
    logger: base.log.child({ component: "chain" }),
  });
}

/** The latest block's timestamp (the chain's clock). */
export async function chainTime(client: ChainClient): Promise<bigint> {
  const block = await client.provider.getBlock("latest");
  if (block === null) throw new Error("the RPC returned no latest block");
  return BigInt(block.timestamp);
}
