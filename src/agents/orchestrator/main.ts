/**
 * The orchestrator as a process:
 *
 *   node --import tsx src/agents/orchestrator/main.ts --config orchestrator.json
 *   npm run orchestrator -- --config orchestrator.json
 *   npx hardhat heal orchestrator --config orchestrator.json   (same entry function, runOrchestratorCli)
 *
 * The key is the operator key holding the RecoveryManager's OPERATOR_ROLE (--key-file 0600, or
 * HEALNET_PRIVATE_KEY). The nodes it runs are listed in --nodes (a JSON file, see `NodesFile`); the
 * `process` driver starts them at init (anvil on 127.0.0.1) and stops them on exit. Snapshot files and node
 * configs are fetched by CID from --store-dir. The log cursor and pending work live in --state-file, so a
 * restart resumes. SIGINT/SIGTERM finish the tick in flight, stop the nodes, and exit 0; a bad option exits 2.
 */
import { readFileSync } from "node:fs";

import {
  INodeHealth__factory,
  IRecoveryManager__factory,
  ISentinelRegistry__factory,
  ISnapshotRegistry__factory,
  IValidatorSet__factory,
} from "../../../types/ethers-contracts/index.js";
import { agentOptions, connectChain, prepareAgent } from "../common/bootstrap.js";
import { type CliIo, isMain, runAsProcess, runCli } from "../common/cli.js";
import { ConfigError, type ConfigOf, option, v } from "../common/config.js";
import { startHttpServer } from "../common/http.js";
import { isHealthy, newAgentHealth, runAgent } from "../common/lifecycle.js";
import { Registry, registerRpcMetrics } from "../common/metrics.js";
import { parseProcessNodes, ProcessDriver, type ProcessNodeSpec } from "./drivers/process.js";
import { registerOrchestratorMetrics } from "./metrics.js";
import { DEFAULT_ORCHESTRATOR_OPTIONS, makeOrchestrator } from "./orchestrator.js";
import { JsonFileStateStore } from "./state.js";
import { DirectoryContentStore } from "./store.js";

/**
 * The --nodes file: the nodes this orchestrator runs, one per validator.
 *
 *   { "nodes": [ { "validator": "0x…", "nodeId": "val-1", "port": 20101,
 *                  "config": { "chainId": 31337, "blockTime": 1 }, "configCid": "bafkrei…" } ] }
 *
 * `port` (optional) fixes the node's 127.0.0.1 port so its sidecar can find it; `configCid` (optional) is the
 * config the reprovision rung installs.
 */
export interface NodesFile {
  nodes: (ProcessNodeSpec & { configCid?: string })[];
}

const NODES_EXAMPLE = `{"nodes": [{"validator": "0x…", "nodeId": "val-1", "port": 20101, "config": {"chainId": 31337}}]}`;

/**
 * Validates the --nodes file: the entries go through the process driver's own `parseProcessNodes` (one
 * parser for the node list), after the orchestrator's extra field `configCid` is taken out. Errors name the
 * option, the file and the bad entry and field, and carry an example; they are ConfigErrors (exit 2).
 */
export function parseNodesFile(raw: unknown, path: string): NodesFile {
  const bad = (msg: string) => new ConfigError(`--nodes ${path}: ${msg}; example: ${NODES_EXAMPLE}`, "nodes");
  if (raw === null || typeof raw !== "object" || !Array.isArray((raw as { nodes?: unknown }).nodes))
    throw bad(`expected an object with a "nodes" array`);
  const entries = (raw as { nodes: unknown[] }).nodes;
  const cids: (string | undefined)[] = [];
  const specs = entries.map((n, i) => {
    if (n === null || typeof n !== "object") return n;
    const { configCid, ...spec } = n as Record<string, unknown>;
    if (configCid !== undefined && typeof configCid !== "string")
      throw bad(`nodes[${i}].configCid must be a string`);
    cids[i] = configCid;
    return spec;
  });
  let parsed: ProcessNodeSpec[];
  try {
    parsed = parseProcessNodes(specs);
  } catch (error) {
    throw bad(error instanceof Error ? error.message : String(error));
  }
  return {
    nodes: parsed.map((spec, i) => {
      const configCid = cids[i];
      return configCid !== undefined ? { ...spec, configCid } : spec;
    }),
  };
}

function readNodesFile(path: string): NodesFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `--nodes ${path} cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); example: ${NODES_EXAMPLE}`,
      "nodes",
    );
  }
  return parseNodesFile(raw, path);
}

export const orchestratorSpec = {
  ...agentOptions,
  intentLog: { ...agentOptions.intentLog, default: "./var/orchestrator-intents.sqlite" },
  metricsPort: { ...agentOptions.metricsPort, default: 9466 },
  driver: option({
    description:
      "how nodes are run: process (local anvil processes); other drivers plug in behind the Driver interface",
    example: "process",
    default: "process" as const,
    parse: v.oneOf(["process"] as const),
  }),
  nodes: option({
    description:
      "JSON file listing the nodes this orchestrator runs (validator, nodeId, port, config, configCid)",
    example: "./orchestrator-nodes.json",
    parse: v.string(),
  }),
  dataDir: option({
    description: "directory of the nodes' data (one subdirectory per node)",
    example: "./var/nodes",
    default: "./var/nodes",
    parse: v.string(),
  }),
  storeDir: option({
    description: "content store: snapshot files and node configs, each named by its CID",
    example: "./var/store",
    default: "./var/store",
    parse: v.string(),
  }),
  stateFile: option({
    description: "where the log cursor and pending work are saved (atomically) between runs",
    example: "./var/orchestrator-state.json",
    default: "./var/orchestrator-state.json",
    parse: v.string(),
  }),
  fromBlock: option({
    description: "first block to read events from when there is no saved state (e.g. the deployment block)",
    example: "0",
    default: 0,
    parse: v.int({ min: 0 }),
  }),
  maxBlockRange: option({
    description: "blocks per eth_getLogs call",
    example: "2000",
    default: 2_000,
    parse: v.int({ min: 1, max: 100_000 }),
  }),
  confirmations: option({
    description: "events are acted on only this many blocks behind the head",
    example: "2",
    default: 0,
    parse: v.int({ min: 0, max: 1_000 }),
  }),
  reorgRewindBlocks: option({
    description:
      "after a reorg that replaced every saved block hash (the last 64 ranges read), rescan from this many " +
      "blocks below the oldest of them; an event the new chain put lower is missed",
    example: "128",
    default: DEFAULT_ORCHESTRATOR_OPTIONS.reorgRewindBlocks,
    parse: v.int({ min: 0, max: 100_000 }),
  }),
  healWaitMs: option({
    description: "after a repair step, how long to wait for the node to look healthy",
    example: "30s",
    default: 30_000,
    parse: v.duration({ minMs: 10 }),
  }),
  healMaxHeightLag: option({
    description:
      "a repaired node counts as healthy at most this many blocks behind the network's best reported height",
    example: "5",
    default: 5,
    parse: v.int({ min: 0 }),
  }),
  nodeStartTimeoutMs: option({
    description: "a started node must answer within this",
    example: "20s",
    default: 20_000,
    parse: v.duration({ minMs: 100 }),
  }),
  tickTimeoutMs: option({
    description: "a tick still running after this long is a wedged agent (exit 1)",
    example: "15m",
    default: 900_000,
    parse: v.duration({ minMs: 100 }),
  }),
};

export type OrchestratorConfig = ConfigOf<typeof orchestratorSpec>;

export function runOrchestratorCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io?: CliIo,
): Promise<number> {
  return runCli({
    name: "orchestrator",
    summary: "carries out repairs (restart → resync → reprovision → guardians) and reports them on-chain",
    spec: orchestratorSpec,
    argv,
    env,
    ...(io ? { io } : {}),
    start: (config) => startOrchestrator(config),
  });
}

export async function startOrchestrator(config: OrchestratorConfig): Promise<number> {
  const nodesFile = readNodesFile(config.nodes);
  const base = await prepareAgent("orchestrator", config);
  const { log, addresses } = base;
  if (addresses.recovery === undefined || addresses.snapshots === undefined) {
    throw new ConfigError(
      `--addresses has no guardian side (recovery, snapshots): the orchestrator reports to the RecoveryManager; ` +
        `deploy the whole suite (HealnetSuite), e.g. --addresses deploy/deployments/chain-31337/deployed_addresses.json`,
      "addresses",
    );
  }
  const client = await connectChain(config, base);
  const driver = new ProcessDriver({
    nodes: nodesFile.nodes.map(({ configCid: _, ...spec }) => spec),
    dataDir: config.dataDir,
    store: new DirectoryContentStore(config.storeDir),
    startTimeoutMs: config.nodeStartTimeoutMs,
    log: log.child({ component: "driver" }),
  });
  try {
    const registry = new Registry();
    registerRpcMetrics(registry, client.provider);
    const metrics = registerOrchestratorMetrics(registry);
    const orchestrator = makeOrchestrator({
      contracts: {
        set: IValidatorSet__factory.connect(addresses.set, client.signer),
        recovery: IRecoveryManager__factory.connect(addresses.recovery, client.signer),
        snapshots: ISnapshotRegistry__factory.connect(addresses.snapshots, client.signer),
        health: INodeHealth__factory.connect(addresses.health, client.signer),
        // Resyncs only from a live sentinel of the pool (deployments without a registry: from the configured source).
        ...(addresses.sentinels !== undefined && {
          sentinels: ISentinelRegistry__factory.connect(addresses.sentinels, client.signer),
        }),
      },
      driver,
      sender: client,
      log,
      metrics,
      provider: client.provider,
      state: new JsonFileStateStore(config.stateFile, {
        chainId: client.chainId.toString(),
        set: addresses.set,
        recovery: addresses.recovery,
      }),
      options: {
        fromBlock: BigInt(config.fromBlock),
        maxBlockRange: config.maxBlockRange,
        confirmations: config.confirmations,
        reorgRewindBlocks: config.reorgRewindBlocks,
        nodeConfigs: Object.fromEntries(
          nodesFile.nodes.filter((n) => n.configCid !== undefined).map((n) => [n.validator, n.configCid!]),
        ),
        ladder: { healWaitMs: config.healWaitMs, maxHeightLag: BigInt(config.healMaxHeightLag) },
      },
    });
    const health = newAgentHealth();
    const server = await startHttpServer({
      port: config.metricsPort,
      host: config.httpHost,
      registry,
      health: () => ({
        ok: isHealthy(health, Math.max(3 * config.intervalMs, config.tickTimeoutMs)),
        detail: { ticks: health.ticks, pending: orchestrator.pending.length, lastError: health.lastError },
      }),
    });
    try {
      return await runAgent({
        name: "orchestrator",
        intervalMs: config.intervalMs,
        tickTimeoutMs: config.tickTimeoutMs,
        initTimeoutMs: config.nodeStartTimeoutMs * Math.max(1, nodesFile.nodes.length) + 30_000,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        logger: log,
        health,
        metrics: registry,
        init: async () => {
          await orchestrator.init();
          const signal = AbortSignal.timeout(config.nodeStartTimeoutMs * Math.max(1, nodesFile.nodes.length));
          for (const spec of nodesFile.nodes) {
            const ref = driver.nodeOf(spec.validator)!;
            await driver.start(ref, signal);
            log.info("node started", {
              validator: spec.validator,
              nodeId: spec.nodeId,
              rpc: driver.rpcUrl(ref),
            });
          }
          log.info("orchestrator started", {
            operator: client.address,
            http: server.url,
            nodes: nodesFile.nodes.length,
          });
        },
        tick: async (ctx) => {
          const report = await orchestrator.tick(ctx);
          for (const h of report.handled) log.info("work handled", { ...h });
        },
      });
    } finally {
      await server.close();
    }
  } finally {
    await driver.dispose();
    client.close();
  }
}

if (isMain(import.meta.url)) runAsProcess(runOrchestratorCli);
