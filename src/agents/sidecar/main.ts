/**
 * The sidecar as a process, one beside each validator node:
 *
 *   node --import tsx src/agents/sidecar/main.ts --config sidecar.json
 *   npm run sidecar -- --config sidecar.json
 *   npx hardhat heal sidecar --config sidecar.json    (same entry function, runSidecarCli)
 *
 * The key is the validator's SIGNER key (the heartbeat key, not the staking key), from --key-file (0600) or
 * HEALNET_PRIVATE_KEY. In `direct` mode it sends `heartbeat(report)` itself; in `relay` mode it signs
 * EIP-712 heartbeats and posts them to the keepers in --relay-urls (relay.ts). It reads its node at
 * --node-url (default: the first --rpc-urls entry) and the disk of --data-dir. SIGINT/SIGTERM finish the
 * tick in flight and exit 0; a bad option exits 2 with one line naming it.
 */
import { Wallet } from "ethers";

import { INodeHealth__factory } from "../../../types/ethers-contracts/index.js";
import { agentOptions, chainTime, connectChain, prepareAgent } from "../common/bootstrap.js";
import { type CliIo, isMain, runAsProcess, runCli } from "../common/cli.js";
import { ConfigError, type ConfigOf, option, v } from "../common/config.js";
import { startHttpServer } from "../common/http.js";
import { isHealthy, newAgentHealth, runAgent } from "../common/lifecycle.js";
import { Registry, registerRpcMetrics } from "../common/metrics.js";
import { httpHeartbeatRelay } from "../keeper/relay.js";
import { registerSidecarMetrics } from "./metrics.js";
import { diskProbe, rpcNodeProbe } from "./probe.js";
import { Sidecar, type SidecarMode } from "./sidecar.js";

export const sidecarSpec = {
  ...agentOptions,
  intentLog: { ...agentOptions.intentLog, default: "./var/sidecar-intents.sqlite" },
  metricsPort: { ...agentOptions.metricsPort, default: 9465 },
  intervalMs: { ...agentOptions.intervalMs, default: 10_000 },
  validator: option({
    description: "the validator (staking address) this sidecar heartbeats for",
    example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    parse: v.address(),
  }),
  mode: option({
    description: "direct: send heartbeat() from the signer key; relay: sign and post to keepers",
    example: "direct",
    default: "direct" as "direct" | "relay",
    parse: v.oneOf(["direct", "relay"] as const),
  }),
  relayUrls: option({
    description: "keeper HTTP endpoints for relay mode (POST /heartbeats), comma-separated",
    example: "http://127.0.0.1:9464",
    optional: true,
    parse: v.urls(),
  }),
  relayTimeoutMs: option({
    description: "bound on one POST to a keeper",
    example: "5s",
    default: 5_000,
    parse: v.duration({ minMs: 10 }),
  }),
  nodeUrl: option({
    description: "JSON-RPC URL of the validator node this sidecar watches (default: the first --rpc-urls)",
    example: "http://127.0.0.1:8545",
    optional: true,
    parse: (raw: unknown) => v.urls()(raw)[0]!,
  }),
  nodeTimeoutMs: option({
    description: "bound on one request to the node",
    example: "5s",
    default: 5_000,
    parse: v.duration({ minMs: 10 }),
  }),
  dataDir: option({
    description: "the node's data directory (its disk use goes into each heartbeat)",
    example: "/var/lib/geth",
    default: ".",
    parse: v.string(),
  }),
};

export type SidecarConfig = ConfigOf<typeof sidecarSpec>;

export function runSidecarCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io?: CliIo,
): Promise<number> {
  return runCli({
    name: "sidecar",
    summary: "reads its validator's node and heartbeats for it (directly or through keepers)",
    spec: sidecarSpec,
    argv,
    env,
    ...(io ? { io } : {}),
    start: (config) => startSidecar(config),
  });
}

export async function startSidecar(config: SidecarConfig): Promise<number> {
  if (config.mode === "relay" && config.relayUrls === undefined) {
    throw new ConfigError(
      "--mode relay needs --relay-urls (the keepers' HTTP endpoints), e.g. --relay-urls http://127.0.0.1:9464",
      "relayUrls",
    );
  }
  const base = await prepareAgent("sidecar", config);
  const { log, addresses } = base;
  const client = await connectChain(config, base);
  try {
    const registry = new Registry();
    registerRpcMetrics(registry, client.provider);
    const metrics = registerSidecarMetrics(registry);
    const healthContract = INodeHealth__factory.connect(addresses.health, client.signer);
    const [registered] = await healthContract.signerOf(config.validator);
    if (registered.toLowerCase() !== client.address.toLowerCase()) {
      log.warn("this key is not the validator's registered signer; its heartbeats will not count", {
        validator: config.validator,
        key: client.address,
        registered,
      });
    }
    const mode: SidecarMode =
      config.mode === "direct"
        ? { kind: "direct" }
        : {
            kind: "relay",
            relay: httpHeartbeatRelay({ urls: config.relayUrls!, timeoutMs: config.relayTimeoutMs }),
            signer: new Wallet(base.key.reveal()),
          };
    const sidecar = new Sidecar({
      validator: config.validator,
      health: healthContract,
      node: rpcNodeProbe(config.nodeUrl ?? config.rpcUrls[0]!, config.nodeTimeoutMs),
      host: diskProbe(config.dataDir),
      mode,
      send: (request) => client.send(request),
      chainTime: () => chainTime(client),
      log,
      metrics,
    });
    const health = newAgentHealth();
    const server = await startHttpServer({
      port: config.metricsPort,
      host: config.httpHost,
      registry,
      health: () => ({
        ok: isHealthy(health, 3 * config.intervalMs + config.txTimeoutMs),
        detail: { ticks: health.ticks, lastError: health.lastError, stopping: health.stopping },
      }),
    });
    log.info("sidecar started", {
      validator: config.validator,
      signer: client.address,
      mode: config.mode,
      http: server.url,
    });
    try {
      return await runAgent({
        name: "sidecar",
        intervalMs: config.intervalMs,
        tickTimeoutMs: config.txTimeoutMs + config.nodeTimeoutMs + 10_000,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        logger: log,
        health,
        metrics: registry,
        tick: async ({ signal }) => {
          const outcome = await sidecar.tick(signal);
          // A tick that could not heartbeat is a failed tick (counted; /healthz turns unhealthy).
          if (outcome.status === "node-unreadable" || outcome.status === "failed")
            throw new Error(outcome.error);
          // A lagging RPC (stale head) is not the node's fault: logged and counted, the next tick sends.
          if (outcome.status === "stale-head") return;
          log.debug("heartbeat", { status: outcome.status, height: outcome.report.blockHeight });
        },
      });
    } finally {
      await server.close();
    }
  } finally {
    client.close();
  }
}

if (isMain(import.meta.url)) runAsProcess(runSidecarCli);
