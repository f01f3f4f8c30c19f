/**
 * The keeper as a process:
 *
 *   node --import tsx src/agents/keeper/main.ts --config keeper.json
 *   npm run keeper -- --config keeper.json            (same thing)
 *   npx hardhat heal keeper --config keeper.json      (same entry function, runKeeperCli)
 *
 * Options come from flags, HEALNET_* variables or the --config JSON file (`--help` lists them); the key
 * from --key-file (mode 0600) or HEALNET_PRIVATE_KEY. It serves /metrics, /healthz and POST /heartbeats
 * (relay.ts) on --http-host:--metrics-port, ticks every --interval-ms, and on SIGINT/SIGTERM finishes the
 * tick in flight and exits 0. A bad option exits 2 with one line naming it.
 */
import {
  INodeHealth__factory,
  IRecoveryManager__factory,
  ISentinelRegistry__factory,
  IStakeManager__factory,
  IValidatorSet__factory,
} from "../../../types/ethers-contracts/index.js";
import { agentOptions, chainTime, connectChain, prepareAgent } from "../common/bootstrap.js";
import { type CliIo, isMain, runAsProcess, runCli } from "../common/cli.js";
import { type ConfigOf, option, v } from "../common/config.js";
import { startHttpServer } from "../common/http.js";
import { isHealthy, newAgentHealth, runAgent } from "../common/lifecycle.js";
import { Registry, registerRpcMetrics } from "../common/metrics.js";
import { DEFAULT_KEEPER_OPTIONS, Keeper } from "./keeper.js";
import { registerKeeperMetrics } from "./metrics.js";
import { HeartbeatQueue, heartbeatRoute, registerRelayMetrics } from "./relay.js";
import { domainOf } from "../../suite/signing.js";

const tokens = (raw: unknown): bigint => {
  const s = String(raw).trim();
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(s);
  if (!m) throw new Error("is not an amount of tokens (e.g. 1 or 0.5)");
  return BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0"));
};

export const keeperSpec = {
  ...agentOptions,
  intentLog: { ...agentOptions.intentLog, default: "./var/keeper-intents.sqlite" },
  relay: option({
    description: "accept signed heartbeats on POST /heartbeats and relay them in batches",
    example: "true",
    default: true,
    parse: v.bool(),
  }),
  relayQueueSize: option({
    description: "most validators with a heartbeat waiting; a post for another one is refused with 429",
    example: "1000",
    default: 1_000,
    parse: v.int({ min: 1, max: 100_000 }),
  }),
  relayBatchMax: option({
    description: "most heartbeats in one heartbeatBatch transaction",
    example: "100",
    default: DEFAULT_KEEPER_OPTIONS.relayBatchMax,
    parse: v.int({ min: 1, max: 500 }),
  }),
  maxActionsPerTick: option({
    description: "most transactions sent in one tick",
    example: "16",
    default: DEFAULT_KEEPER_OPTIONS.maxActionsPerTick,
    parse: v.int({ min: 1, max: 1_000 }),
  }),
  rotateEveryTicks: option({
    description: "call evaluateAndRotate every this many ticks",
    example: "10",
    default: DEFAULT_KEEPER_OPTIONS.rotateEveryTicks,
    parse: v.int({ min: 1 }),
  }),
  claimRewardsAbove: option({
    description: "claim the keeper reward once it reaches this many tokens (0 = never)",
    example: "1.5",
    default: DEFAULT_KEEPER_OPTIONS.claimRewardsAbove,
    parse: tokens,
  }),
  tickTimeoutMs: option({
    description:
      "a tick still running after this long is a wedged agent (exit 1, the supervisor restarts it)",
    example: "5m",
    default: 300_000,
    parse: v.duration({ minMs: 100 }),
  }),
};

export type KeeperConfig = ConfigOf<typeof keeperSpec>;

export function runKeeperCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io?: CliIo,
): Promise<number> {
  return runCli({
    name: "keeper",
    summary:
      "finds overdue, stalled and slashable validators and triggers the validator set's permissionless calls",
    spec: keeperSpec,
    argv,
    env,
    ...(io ? { io } : {}),
    start: (config) => startKeeper(config),
  });
}

export async function startKeeper(config: KeeperConfig): Promise<number> {
  const base = await prepareAgent("keeper", config);
  const { log, addresses } = base;
  const client = await connectChain(config, base);
  try {
    const registry = new Registry();
    registerRpcMetrics(registry, client.provider);
    const metrics = registerKeeperMetrics(registry);
    registry.onRender(() => metrics.pendingTransactions.set(client.intents.unfinished().length));
    const contracts = {
      set: IValidatorSet__factory.connect(addresses.set, client.signer),
      health: INodeHealth__factory.connect(addresses.health, client.signer),
      stake: IStakeManager__factory.connect(addresses.stake, client.signer),
      // With the guardian side deployed, the keeper also restores remediated jailed validators.
      ...(addresses.recovery && {
        recovery: IRecoveryManager__factory.connect(addresses.recovery, client.signer),
      }),
      // With the sentinel pool deployed, the keeper also drops silent sentinels and restores live ones.
      ...(addresses.sentinels && {
        sentinels: ISentinelRegistry__factory.connect(addresses.sentinels, client.signer),
      }),
    };
    const queue = new HeartbeatQueue(config.relayQueueSize);
    const health = newAgentHealth();
    const postRoutes = config.relay
      ? {
          "/heartbeats": heartbeatRoute({
            queue,
            domain: await domainOf(contracts.health),
            signerOf: async (validator) => {
              const [signer, epoch] = await contracts.health.signerOf(validator);
              return { signer, epoch };
            },
            log: log.child({ component: "relay" }),
            metrics: registerRelayMetrics(registry, queue),
          }),
        }
      : undefined;
    const server = await startHttpServer({
      port: config.metricsPort,
      host: config.httpHost,
      registry,
      health: () => ({
        ok: isHealthy(health, Math.max(3 * config.intervalMs, config.tickTimeoutMs)),
        detail: { ticks: health.ticks, lastError: health.lastError, stopping: health.stopping },
      }),
      ...(postRoutes ? { postRoutes } : {}),
    });
    log.info("keeper started", {
      address: client.address,
      chainId: client.chainId,
      http: server.url,
      relay: config.relay,
      set: addresses.set,
    });
    const keeper = new Keeper({
      contracts,
      address: client.address,
      send: (request) => client.send(request),
      chainTime: () => chainTime(client),
      log,
      metrics,
      heartbeats: queue,
      options: {
        relayBatchMax: config.relayBatchMax,
        maxActionsPerTick: config.maxActionsPerTick,
        rotateEveryTicks: config.rotateEveryTicks,
        claimRewardsAbove: config.claimRewardsAbove,
      },
    });
    try {
      return await runAgent({
        name: "keeper",
        intervalMs: config.intervalMs,
        tickTimeoutMs: config.tickTimeoutMs,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        logger: log,
        health,
        metrics: registry,
        tick: async ({ tick }) => {
          const report = await keeper.tick();
          if (report.actions.length > 0) log.info("tick", { tick, actions: report.actions.length });
        },
      });
    } finally {
      await server.close();
    }
  } finally {
    client.close();
  }
}

if (isMain(import.meta.url)) runAsProcess(runKeeperCli);
