/**
 * The simulation engine: deploys the suite on a Hardhat network, creates the fleet, runs the real agents
 * in-process and moves simulated time one block at a time.
 *
 * Each step (one block of `blockTime` seconds):
 *   1. the clock moves: an empty block is mined at the step's timestamp, and every transaction of the step
 *      is mined at that same timestamp (`evm_setNextBlockTimestamp` before each one; the embedded network
 *      allows blocks with equal timestamps), so the chain's time is the simulated time, to the second;
 *   2. due faults are injected, expired ones clear, the simulated network produces a block (or halts);
 *   3. due sidecars read their node and sign a heartbeat for the relay queue (relay mode: no transaction) —
 *      the validators' and the sentinels' (the read-only nodes of the SentinelRegistry);
 *   4. every keeper that is up ticks (it relays the queue in one `heartbeatBatch`, checks, executes, fills);
 *   5. the sentinel sweep (`SentinelRegistry.checkAll`, sent only when it would drop or restore someone), then
 *      the orchestrator ticks, up to its next wait on simulated time (a restart takes `restartTime`; a resync
 *      syncs from a live sentinel);
 *   6. validator owners unjail their healed nodes;
 *   7. the chain's events are read (detections, replacements, remediations), and the ground truth sampled.
 *
 * Nothing here reads the wall clock except to report wall time, so the same seed gives the same run.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import {
  id,
  keccak256,
  type Interface,
  type Provider,
  toUtf8Bytes,
  type TransactionRequest,
  Wallet,
} from "ethers";

import { makeLogger } from "../agents/common/log.js";
import {
  Keeper,
  type DoubleSignEvidence,
  type KeeperAction,
  type SignedHeartbeat,
} from "../agents/keeper/keeper.js";
import { makeOrchestrator, type Orchestrator } from "../agents/orchestrator/orchestrator.js";
import { NodeProbeError } from "../agents/sidecar/probe.js";
import { Sidecar } from "../agents/sidecar/sidecar.js";
import { IntentLog } from "../chain/intent-log.js";
import { NonceManager } from "../chain/nonce.js";
import { type SendRequest, Sender } from "../chain/sender.js";
import { LedgerStore } from "../fraud/chain.js";
import type { Transfer } from "../fraud/ledger.js";
import { Proposer, TransferQueue } from "../fraud/proposer.js";
import { Watcher as FraudWatcher, type Detection } from "../fraud/watcher.js";
import { TransferWorkload } from "../fraud/workload.js";
import { verifyAuditTrail } from "../suite/audit.js";
import { deploySuite, type Suite } from "../suite/deploy.js";
import { createOperators, fund, type Operator } from "../suite/fleet.js";
import { collectApprovals, executeWhenReady, proposeAction, submitApprovals } from "../suite/guardians.js";
import { type Check, captureState, compareStates } from "../suite/invariants.js";
import { withParameters } from "../suite/parameters.js";
import { domainOf, signHeartbeat, signVote, type SignedHeartbeatInput } from "../suite/signing.js";
import {
  INodeHealth__factory,
  IRecoveryManager__factory,
  ISentinelRegistry__factory,
  ISnapshotRegistry__factory,
  IStakeManager__factory,
  IStateCommitmentChain__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { SimClock } from "./clock.js";
import { SimulatedDriver, type DriverOp } from "./driver.js";
import { ChainWatcher, type StatusName } from "./events.js";
import { injectFault, scheduleFaults, type InjectedFault, type ScheduledFault } from "./faults.js";
import { blockHashOf, Fleet, type Condition } from "./fleet.js";
import { Rng } from "./rng.js";
import { activeSeats, DEFAULT_SENTINELS, type Scenario, ScenarioError } from "./scenario.js";

const TOKEN = 10n ** 18n;
/** Seconds between snapshots, and the registry's challenge window. */
const SNAPSHOT_EVERY = 600;
const SNAPSHOT_WINDOW = 60;
/** Seconds between honest state batches, and transfers per batch. */
const BATCH_EVERY = 60;
const BATCH_TRANSFERS = 4;
const FRAUD_TREE_DEPTH = 32;
/** Simulated start time on the embedded network (fixed, so runs are identical). 2033-05-18. */
export const FIXED_START = 2_000_000_000;
/** Setup transactions whose timestamps reach the chain's state (the sentinels' additions) are mined this many
 *  seconds before the start; the deployment before them starts 3,600 s before it, with wall-clock time. */
const SETUP_PIN_S = 60;

/** What the engine needs of a Hardhat network connection. */
export interface SimConnection {
  ethers: HardhatEthers;
  /** The EIP-1193 provider under `ethers` (the same object: the engine pins set-up blocks' time through it). */
  provider: RequestProvider;
}

interface RequestProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface ProgressInfo {
  step: number;
  steps: number;
  /** Simulated seconds elapsed. */
  elapsed: number;
  duration: number;
  txs: number;
  incidents: number;
  faults: number;
}

export interface RunOptions {
  scenario: Scenario;
  connection: SimConnection;
  onProgress?: (p: ProgressInfo) => void;
  /** Called with a line when something notable happens (setup phases). */
  onPhase?: (line: string) => void;
}

export interface Segment {
  from: number;
  to: number;
  status: StatusName;
  condition: Condition;
}

export interface AgentEvent {
  at: number;
  agent: string;
  event: "crashed" | "restarted" | "rpc-failed" | "rpc-ok" | "tick-failed";
  detail?: string;
}

export interface RecordedAction extends KeeperAction {
  at: number;
  agent: string;
}

export interface NodeInfo {
  label: string;
  validator: string;
  signer: string;
  stake: bigint;
  initialStatus: StatusName;
}

/** A snapshot the scenario's snapshot service proposed (and the guardians attested and finalized). */
export interface SnapshotRecord {
  id: number;
  height: number;
  cid: string;
  proposedAt: number;
  finalizedAt: number | null;
}

/** A guardian council action taken by the simulation's guardian bot. */
export interface GuardianActionRecord {
  proposalId: number;
  type: string;
  /** What it was for (the fault id, and a few words). */
  faultId: number;
  reason: string;
  /** Absolute simulated times. */
  triggeredAt: number;
  proposedAt: number;
  approvedAt: number | null;
  executedAt: number | null;
  /** Approvals counted (the proposer's and the collected signatures). */
  approvals: number;
  /** Pause: until when slashing was paused. */
  pausedUntil?: number;
  gasUsed: bigint;
  error?: string;
}

/** The "upgrade during faults" step: a proxy upgraded to its V2 mid-run, and what it had to keep. */
export interface UpgradeRecord {
  contract: "NodeHealth" | "StakeManager";
  proxy: string;
  implementation: string;
  /** Absolute simulated time of the upgrade. */
  at: number;
  /** Faults active at that moment (ids). */
  activeFaults: number[];
  versionBefore: number;
  versionAfter: number;
  gasUsed: bigint;
  /** Stakes, pending slashes, incidents, audit head, active set, versions: before vs right after. */
  checks: Check[];
  ok: boolean;
  error?: string;
}

/** A wrongly accused validator's appeal of its pending downtime slash. */
export interface AppealRecord {
  incidentId: number;
  validator: string;
  at: number;
  ok: boolean;
  error?: string;
}

/** The state commitment chain's activity: batches, and the byzantine proposer's lie and its rollback. */
export interface FraudRecord {
  honestBatches: number;
  verified: number;
  rollbacks: { fromCommitmentId: number; at: number; headStateRoot: string }[];
  /** Per byzantine-proposer fault id. */
  lies: Map<
    number,
    {
      proposer: string;
      commitmentId: number | null;
      postedAt: number | null;
      detectedAt: number | null;
      rolledBackAt: number | null;
      challenger: string;
      result: string;
      gasUsed: bigint;
      slashed: bigint;
    }
  >;
}

/** A SentinelRegistry event seen by the simulation's sentinel sweep (times absolute). */
export interface SentinelEvent {
  at: number;
  kind: "dropped" | "restored" | "degraded" | "recovered";
  /** The sentinel (dropped / restored). */
  sentinel?: string;
  /** Served sentinels after the event (degraded / recovered). */
  served?: number;
}

export interface SentinelPoolRecord {
  /** Sentinel ids, in registration order; labels "s1", "s2", … */
  ids: string[];
  endpoints: string[];
  min: number;
  events: SentinelEvent[];
  /** Per sentinel-outage fault id: the silent sentinels. */
  outages: Map<number, string[]>;
  /** Sentinel sweeps sent (transactions). */
  sweeps: number;
}

/** Everything a run produced, in raw form (report.ts turns it into figures). */
export interface SimRecord {
  scenario: Scenario;
  /** Absolute simulated start (unix seconds) and end. */
  start: number;
  end: number;
  steps: number;
  sameTimestamp: boolean;
  network: string;
  chainParams: {
    heartbeatInterval: number;
    gracePeriod: number;
    blockTime: number;
    maxHeightLag: number;
    stallReports: number;
    stallEscalationDelay: number;
    appealWindow: number;
    jailDuration: number;
    minActive: number;
    maxActive: number;
    correlatedFaultBps: number;
    uptimeWindowS: number;
  };
  addresses: Record<string, string>;
  agents: {
    keepers: string[];
    orchestrator: string;
    treasury: string;
    guardians: string[];
    threshold: number;
  };
  nodes: NodeInfo[];
  faults: InjectedFault[];
  watcher: ChainWatcher;
  timeline: Map<string, Segment[]>;
  actions: RecordedAction[];
  agentEvents: AgentEvent[];
  driverOps: DriverOp[];
  orchestrator: { available: boolean; ticks: number; reports: number; failures: number };
  snapshots: SnapshotRecord[];
  guardianActions: GuardianActionRecord[];
  appeals: AppealRecord[];
  /** The "upgrade during faults" step (null: the scenario has none, or the run ended before it). */
  upgrade: UpgradeRecord | null;
  fraud: FraudRecord;
  /** Correlated outages: when every victim heartbeated again, on-chain. */
  correlatedHealedAt: Map<number, number>;
  /** The sentinel pool: its sentinels, minimum, the registry's events and each outage's silent sentinels. */
  sentinels?: SentinelPoolRecord;
  /** Agent faults: detection (first failed tick, or the exit) and heal (first good tick after). */
  agentFaultTimes: Map<number, { detectedAt?: number; healedAt?: number }>;
  quorum: { samples: number; withQuorum: number };
  belowMinActiveS: number;
  networkHaltedS: number;
  finalActive: number;
  chain: { txs: number; gasUsed: bigint; blocks: number; firstBlock: number; lastBlock: number };
  stake: {
    conserved: boolean;
    deposited: bigint;
    bonded: bigint;
    unbonding: bigint;
    withdrawn: bigint;
    slashed: bigint;
    rewardsOwed: bigint;
    balanceMatches: boolean;
  };
  audit: { verified: boolean | null; entries: number; reason?: string };
  /** Wall milliseconds per phase of the steps, and the agents' view reads (and how many the cache answered). */
  performance: { phaseMs: Record<string, number>; viewCalls: number; viewCacheHits: number };
  /** Receipts of the incidents' transactions (gas used, who paid it). */
  receipts: Map<string, { gasUsed: bigint; from: string }>;
  wallTimeS: number;
  setupWallTimeS: number;
}

/** Signed heartbeats posted by sidecars, kept in node order so every run batches them identically. */
class RelayQueue {
  #pending = new Map<number, SignedHeartbeatInput>();
  #ready: SignedHeartbeat[] = [];

  post(index: number, item: SignedHeartbeatInput): void {
    this.#pending.set(index, item);
  }

  flush(): void {
    const indexes = [...this.#pending.keys()].sort((a, b) => a - b);
    for (const i of indexes) this.#ready.push(this.#pending.get(i) as SignedHeartbeat);
    this.#pending.clear();
  }

  take(max: number): SignedHeartbeat[] {
    return this.#ready.splice(0, max);
  }

  get size(): number {
    return this.#ready.length;
  }
}

interface KeeperSlot {
  name: string;
  wallet: Wallet;
  sender: Sender;
  keeper: Keeper;
  downUntil: number | null;
  rpcDownUntil: number | null;
  /** Fault ids waiting for their first good tick (heal). */
  healing: Set<number>;
}

const silent = makeLogger({ level: "error", sink: () => {} });

/**
 * The agents' view of the node: an ethers Provider in front of the embedded network that
 * - pins the next block's timestamp to the simulated time before each broadcast;
 * - caches view calls until the chain changes, as a caching RPC proxy in front of a node would: a read of
 *   a function the healnet interfaces declare `view`/`pure` is answered from the cache until the next block
 *   or transaction; a read that depends on storage only (`timeless`: it reads no block timestamp or
 *   number — e.g. `overdueAt`, `activeValidators`, `incident`) until the next transaction. Two keepers
 *   ticking in the same block, and a keeper ticking in a block with no transaction, then read the chain once.
 *   Simulations of transactions (`eth_call` of a non-view function) and reads at an explicit block are never
 *   cached.
 */
class ChainTap {
  /** Bumped by every transaction. */
  stateVersion = 0;
  /** Bumped by every block and transaction. */
  blockVersion = 0;
  calls = 0;
  hits = 0;
  readonly #cache = new Map<string, Promise<string>>();
  readonly provider: Provider;

  constructor(
    base: Provider,
    readonly views: { all: ReadonlySet<string>; timeless: ReadonlySet<string> },
    beforeTx: () => Promise<void>,
  ) {
    const call = (tx: TransactionRequest): Promise<string> => {
      this.calls++;
      const data = typeof tx.data === "string" ? tx.data : "";
      const selector = data.slice(0, 10);
      if (tx.blockTag !== undefined || !this.views.all.has(selector)) return base.call(tx);
      const version = this.views.timeless.has(selector) ? `s${this.stateVersion}` : `b${this.blockVersion}`;
      const key = `${version}|${String(tx.to).toLowerCase()}|${data}`;
      const cached = this.#cache.get(key);
      if (cached !== undefined) {
        this.hits++;
        return cached;
      }
      const result = base.call(tx);
      this.#cache.set(key, result);
      result.catch(() => this.#cache.delete(key));
      return result;
    };
    this.provider = new Proxy(base, {
      get: (target, prop) => {
        if (prop === "call") return call;
        if (prop === "broadcastTransaction") {
          return async (raw: string) => {
            await beforeTx();
            return target.broadcastTransaction(raw);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** A transaction is about to be mined. */
  transaction(): void {
    this.stateVersion++;
    this.blockVersion++;
    if (this.#cache.size > 50_000) this.#cache.clear();
  }

  /** An empty block is about to be mined. */
  block(): void {
    this.blockVersion++;
  }
}

/**
 * Gas limit of the agents' transactions here. Gas costs nothing on the embedded network and every healnet
 * call stays far below it (a 100-item heartbeat batch uses ~1.5 M); a fixed limit spares the sender's
 * `eth_estimateGas` binary search (the simulation of the call before sending still runs, so a revert is
 * still caught before anything is sent). Gas *used* is read from the receipts.
 */
const AGENT_GAS_LIMIT = 12_000_000n;

function withGasLimit(request: SendRequest): SendRequest {
  return request.gasLimit === undefined ? { ...request, gasLimit: AGENT_GAS_LIMIT } : request;
}

/**
 * Reads that depend on storage only (no `block.timestamp` / `block.number`), checked against the contracts:
 * `overdueAt` is the latest of last heartbeat, activation and unpause plus the window; the others are plain
 * getters. Anything not listed here is cached per block only.
 */
const TIMELESS_VIEWS = [
  "activeValidators",
  "activeCount",
  "backupCount",
  "overdueAt",
  "openRemediationOf",
  "incidentCount",
  "incident",
  "parameters",
  "statusOf",
  "signerOf",
  "bestHeight",
  "lastHeartbeatAt",
  "rewardOf",
];

/** Selectors of the view/pure functions of the given interfaces, and of the timeless ones among them. */
function viewSelectorsOf(...interfaces: Interface[]): { all: Set<string>; timeless: Set<string> } {
  const all = new Set<string>();
  const timeless = new Set<string>();
  for (const iface of interfaces)
    iface.forEachFunction((f) => {
      if (!f.constant) return;
      all.add(f.selector);
      if (TIMELESS_VIEWS.includes(f.name)) timeless.add(f.selector);
    });
  return { all, timeless };
}

/**
 * Until the returned function is called, every transaction sent through `provider` is mined at `at()`
 * (`evm_setNextBlockTimestamp` before each one: the embedded network allows blocks with the same timestamp).
 */
function pinTransactions(provider: RequestProvider, at: () => number): () => void {
  const original = provider.request.bind(provider);
  provider.request = async (args) => {
    if (args.method === "eth_sendTransaction" || args.method === "eth_sendRawTransaction")
      await original({ method: "evm_setNextBlockTimestamp", params: [at()] });
    return original(args);
  };
  return () => {
    provider.request = original;
  };
}

export async function runSimulation(options: RunOptions): Promise<SimRecord> {
  const wallStart = performance.now();
  const { scenario: s, connection } = options;
  const phase = options.onPhase ?? (() => {});
  const { ethers } = connection;
  const rpc = (method: string, params: unknown[] = []) => connection.provider.request({ method, params });
  const p = s.parameters;
  const seats = activeSeats(s);
  const schedule = scheduleFaults(s);

  const signers = await ethers.getSigners();
  if (signers.length < 1 + s.guardians.count)
    throw new ScenarioError(
      `scenario.guardians.count: ${s.guardians.count} guardians need ${s.guardians.count + 1} accounts, the network has ${signers.length}`,
    );
  const admin = signers[0]!;
  const guardianSigners = signers.slice(1, 1 + s.guardians.count);
  const chainId = (await ethers.provider.getNetwork()).chainId;

  // ------------------------------------------------------------------ time origin
  const genesis = (await ethers.provider.getBlock("latest"))?.timestamp ?? 0;
  let sameTimestamp = false;
  try {
    await rpc("evm_setNextBlockTimestamp", [genesis]);
    await rpc("evm_mine", []);
    sameTimestamp = true;
  } catch {
    sameTimestamp = false;
  }
  const latestNow = (await ethers.provider.getBlock("latest"))?.timestamp ?? genesis;
  const start = sameTimestamp && latestNow < FIXED_START - 7_200 ? FIXED_START : latestNow + 7_200;
  await rpc("evm_setNextBlockTimestamp", [start - 3_600]);
  await rpc("evm_mine", []);
  // Every set-up transaction (deployment, funding, registration) is mined at a pinned time: left to the
  // network, a block takes the wall-clock time elapsed since the last pinned one, and NodeHealth's genesis
  // (its epoch clock: the block of its initialize) would move with the machine's speed — and with it every
  // epoch boundary, the heartbeat proofs of `restore`, and the figures of two runs of one seed.
  let setupTime = start - 3_600;
  const unpin = sameTimestamp ? pinTransactions(connection.provider, () => setupTime) : () => {};
  const clock = new SimClock(start);
  let tap: ChainTap | undefined;
  const beforeTx = async () => {
    tap?.transaction();
    if (sameTimestamp) await rpc("evm_setNextBlockTimestamp", [clock.now]);
  };
  const mineAt = async (t: number) => {
    tap?.block();
    if (sameTimestamp) await rpc("evm_mine", [t]);
    else {
      const latest = (await ethers.provider.getBlock("latest"))?.timestamp ?? 0;
      if (t > latest) await rpc("evm_mine", [t]);
    }
  };

  // ------------------------------------------------------------------ deployment and fleet
  phase(`deploying the suite (guardians ${s.guardians.threshold}-of-${s.guardians.count})`);
  const orchestratorWallet = new Wallet(id("healnet-sim/orchestrator"), ethers.provider);
  const workload = new TransferWorkload({ seed: `healnet-sim/${s.seed}` });
  const genesisRoot = workload.genesisRoot(FRAUD_TREE_DEPTH);
  const pool = s.sentinels ?? DEFAULT_SENTINELS;
  const parameters = withParameters({
    health: {
      heartbeatInterval: p.heartbeatInterval,
      gracePeriod: p.gracePeriod,
      maxHeightLag: p.maxHeightLag,
      stallReports: p.stallReports,
    },
    epochLength: p.heartbeatInterval,
    set: {
      maxActive: seats,
      minActive: p.minActive,
      minUptimeBps: p.minUptimeBps,
      correlatedFaultBps: p.correlatedFaultBps,
      appealWindow: p.appealWindow,
      jailDuration: p.jailDuration,
      stallEscalationDelay: p.stallEscalationDelay,
    },
    // Snapshots: no bond (the simulation's snapshot service is trusted to pay nothing), final a minute after
    // the guardians attest.
    snapshots: { proposalBond: 0n, challengeWindow: SNAPSHOT_WINDOW },
    // The state commitment chain starts from the transfer workload's funded genesis.
    fraud: { genesisStateRoot: genesisRoot, treeDepth: FRAUD_TREE_DEPTH },
    sentinels: { maxSentinels: Math.min(64, Math.max(16, pool.count)), minSentinels: pool.min },
  });
  const suite: Suite = await deploySuite(ethers, {
    admin,
    parameters,
    guardians: guardianSigners,
    threshold: s.guardians.threshold,
    orchestrator: orchestratorWallet.address,
  });
  const total = s.validators + s.backups;
  phase(`creating ${total} operators (${s.validators} validators, ${s.backups} backups)`);
  const stakes = Array.from({ length: total }, (_, i) => (20_000n - 5n * BigInt(i)) * TOKEN);
  const operators: Operator[] = await createOperators(ethers, suite, stakes, "healnet-sim");
  const fleet = new Fleet(operators);
  const order = fleet.nodes.map((n) => n.validator);

  const keeperKeys = Array.from({ length: s.keepers }, (_, k) => id(`healnet-sim/keeper/${k}`));
  for (const key of keeperKeys) await fund(ethers.provider, new Wallet(key).address);
  await fund(ethers.provider, orchestratorWallet.address);

  // The sentinel pool: read-only nodes that follow the simulated network and heartbeat through the relay like
  // validators (their own sidecars); the curator (the admin, standing in for the timelock) adds them.
  const sentinelPool: SentinelPoolRecord = {
    ids: [],
    endpoints: [],
    min: pool.min,
    events: [],
    outages: new Map(),
    sweeps: 0,
  };
  const sentinelSigners: Wallet[] = [];
  const sentinelDownUntil: (number | null)[] = [];
  for (let i = 0; i < pool.count; i++) {
    const sentinelId = new Wallet(id(`healnet-sim/sentinel/${i}`)).address;
    const signer = new Wallet(id(`healnet-sim/sentinel-signer/${i}`));
    const endpoint = `http://s${i + 1}.sentinels.sim:8545`;
    // The addition's audit entry records its block's timestamp (pinned, as every set-up transaction).
    setupTime = start - SETUP_PIN_S;
    await (await suite.sentinels.addSentinel(sentinelId, signer.address, admin.address, endpoint)).wait();
    sentinelPool.ids.push(sentinelId);
    sentinelPool.endpoints.push(endpoint);
    sentinelSigners.push(signer);
    sentinelDownUntil.push(null);
  }
  const sentinelUp = (i: number, t: number): boolean => {
    const until = sentinelDownUntil[i];
    return until === null || until === undefined || t >= until;
  };

  const addresses = {
    set: await suite.set.getAddress(),
    health: await suite.health.getAddress(),
    stake: await suite.stake.getAddress(),
    recovery: await suite.recovery.getAddress(),
    snapshots: await suite.snapshots.getAddress(),
    audit: await suite.audit.getAddress(),
    council: await suite.council.getAddress(),
    sentinels: await suite.sentinels.getAddress(),
  };
  tap = new ChainTap(
    ethers.provider,
    viewSelectorsOf(
      suite.set.interface,
      suite.health.interface,
      suite.stake.interface,
      suite.recovery.interface,
      suite.snapshots.interface,
    ),
    beforeTx,
  );
  const txProvider = tap.provider;
  const makeSender = async (wallet: Wallet, nonces?: NonceManager): Promise<Sender> =>
    new Sender({
      provider: txProvider,
      signer: wallet,
      nonces: nonces ?? new NonceManager(ethers.provider, wallet.address),
      log: await IntentLog.open(":memory:", { chainId, sender: wallet.address }),
      chainId,
      maxFeePerGasCap: 10n ** 12n,
      pollMs: 1,
      stuckAfterMs: 600_000,
      maxWaitMs: 60_000,
    });

  // ------------------------------------------------------------------ agents
  const queue = new RelayQueue();
  const evidence: DoubleSignEvidence[] = [];
  const pendingEvidence: { at: number; item: DoubleSignEvidence }[] = [];
  const keeperWallets = keeperKeys.map((key) => new Wallet(key, txProvider));
  const healthRead = INodeHealth__factory.connect(addresses.health, txProvider);
  const sidecars = fleet.nodes.map(
    (node) =>
      new Sidecar({
        validator: node.validator,
        health: healthRead,
        node: node.probe(() => clock.now),
        host: { diskUsedBps: async () => 4_000 + node.index },
        mode: {
          kind: "relay",
          relay: { post: async (item) => queue.post(node.index, item) },
          signer: node.operator.signer,
        },
        send: async () => {
          throw new Error("relay mode: the sidecar sends nothing itself");
        },
        chainTime: async () => BigInt(clock.now),
        log: silent,
      }),
  );

  const sentinelSidecars = sentinelPool.ids.map(
    (sentinelId, i) =>
      new Sidecar({
        validator: sentinelId,
        health: healthRead,
        node: {
          read: async () => {
            if (!sentinelUp(i, clock.now)) throw new NodeProbeError(`s${i + 1}: connection refused`);
            const height = fleet.network.height;
            return {
              blockNumber: height,
              blockHash: blockHashOf(height),
              peerCount: 24,
              syncing: false,
              latencyMs: 40,
              clientVersionHash: id("healnet-sim/sentinel/1.0.0"),
            };
          },
        },
        host: { diskUsedBps: async () => 3_000 },
        mode: {
          kind: "relay",
          relay: { post: async (item) => queue.post(fleet.nodes.length + i, item) },
          signer: sentinelSigners[i]!,
        },
        send: async () => {
          throw new Error("relay mode: the sidecar sends nothing itself");
        },
        chainTime: async () => BigInt(clock.now),
        log: silent,
      }),
  );

  const agentEvents: AgentEvent[] = [];
  const actions: RecordedAction[] = [];
  const makeKeeper = (slot: Pick<KeeperSlot, "wallet" | "sender" | "rpcDownUntil">): Keeper => {
    const w = slot.wallet;
    // Reads go straight to the provider (the sender signs with the wallet).
    return new Keeper({
      contracts: {
        set: IValidatorSet__factory.connect(addresses.set, txProvider),
        health: INodeHealth__factory.connect(addresses.health, txProvider),
        stake: IStakeManager__factory.connect(addresses.stake, txProvider),
        recovery: IRecoveryManager__factory.connect(addresses.recovery, txProvider),
      },
      address: w.address,
      send: (request) => slot.sender.send(withGasLimit(request)),
      chainTime: async () => {
        const k = keepers.find((x) => x.wallet === w);
        if (k?.rpcDownUntil != null && clock.now < k.rpcDownUntil)
          throw Object.assign(new Error("connect ECONNREFUSED (simulated RPC outage)"), {
            code: "ECONNREFUSED",
          });
        return BigInt(clock.now);
      },
      log: silent,
      heartbeats: { take: (max) => queue.take(max) },
      evidence: { take: (max) => evidence.splice(0, max) },
      // A rotation sweep costs view calls and an eth_call (sent only when it rotates someone): every 10 minutes is plenty here.
      options: { rotateEveryTicks: Math.max(1, Math.round(600 / s.blockTime)), relayBatchMax: 100 },
    });
  };
  const keepers: KeeperSlot[] = [];
  for (let k = 0; k < s.keepers; k++) {
    const wallet = keeperWallets[k]!;
    const sender = await makeSender(wallet);
    const slot = {
      name: `keeper-${k + 1}`,
      wallet,
      sender,
      rpcDownUntil: null,
      downUntil: null,
      healing: new Set<number>(),
    };
    keepers.push({ ...slot, keeper: makeKeeper(slot) });
  }

  // Snapshot files by CID (the simulation's stand-in for IPFS) and each node's config CID (reprovision).
  const snapshotFiles = new Map<string, Uint8Array>();
  const nodeConfigs: Record<string, string> = {};
  for (const node of fleet.nodes) nodeConfigs[node.validator] = `sim-config/${node.label}`;
  const driver = new SimulatedDriver({
    fleet,
    clock,
    restartTime: s.restartTime,
    files: snapshotFiles,
    sentinelUp: (sentinel, t) => {
      const i = sentinelPool.ids.indexOf(sentinel);
      return i >= 0 && sentinelUp(i, t);
    },
  });
  let orchestrator: Orchestrator | null = null;
  /** Whether the engine is in the orchestrator's phase of a step, and the first send seen outside it. */
  let orchestratorPhase = false;
  let outOfPhase: string | null = null;
  const orchSender = await makeSender(orchestratorWallet);
  const startBlock = (await ethers.provider.getBlockNumber()) + 1;
  orchestrator = makeOrchestrator({
    contracts: {
      set: IValidatorSet__factory.connect(addresses.set, orchestratorWallet),
      recovery: IRecoveryManager__factory.connect(addresses.recovery, orchestratorWallet),
      snapshots: ISnapshotRegistry__factory.connect(addresses.snapshots, orchestratorWallet),
      health: INodeHealth__factory.connect(addresses.health, ethers.provider),
      // A resync syncs only from a live sentinel of the pool.
      sentinels: ISentinelRegistry__factory.connect(addresses.sentinels, ethers.provider),
    },
    driver,
    options: {
      fromBlock: BigInt(startBlock),
      confirmations: 0,
      maxWorkPerTick: 4,
      nodeConfigs,
      ladder: {
        // The node's recovery is judged once, right after the driver call returns (in simulated time):
        // a wall-clock wait would make runs differ.
        healWaitMs: 0,
        maxHeightLag: BigInt(p.maxHeightLag),
        restartTimeoutMs: 3_600_000,
        resyncTimeoutMs: 3_600_000,
        reprovisionTimeoutMs: 3_600_000,
      },
    },
    sender: {
      send: (request) => {
        // The orchestrator runs only in its phase of a step (see the loop); a send at any other time would
        // land in a block that depends on the machine's speed, and two runs of one seed would differ.
        if (!orchestratorPhase && outOfPhase === null)
          outOfPhase = `the orchestrator sent a transaction outside its phase of the step at t=${clock.now}`;
        return orchSender.send(withGasLimit(request));
      },
    },
    log: silent,
    provider: ethers.provider,
  });
  const orchStats = { available: true, ticks: 0, reports: 0, failures: 0 };
  let orchTick: Promise<void> | null = null;

  // ------------------------------------------------------------------ genesis: everyone heartbeats, the set fills
  phase(`genesis at t=${start}: first heartbeats, the active set fills to ${seats}`);
  unpin(); // from here on every transaction is pinned to the simulated time (beforeTx)
  await mineAt(start);
  const domain = await domainOf(suite.health);
  const genesisItems: SignedHeartbeatInput[] = [];
  for (const node of fleet.nodes) {
    const [, signerEpoch] = await suite.health.signerOf(node.validator);
    genesisItems.push(
      await signHeartbeat(node.operator.signer, domain, {
        validator: node.validator,
        signerEpoch,
        timestamp: BigInt(start),
        report: {
          blockHeight: fleet.network.height,
          blockHash: "0x" + "00".repeat(31) + "01",
          peerCount: 24,
          latencyMs: 40,
          diskUsedBps: 4_000 + node.index,
          clientVersionHash: id("healnet-sim/1.0.0"),
        },
      }),
    );
  }
  for (const [i, sentinelId] of sentinelPool.ids.entries()) {
    genesisItems.push(
      await signHeartbeat(sentinelSigners[i]!, domain, {
        validator: sentinelId,
        signerEpoch: 1n,
        timestamp: BigInt(start),
        report: {
          blockHeight: fleet.network.height,
          blockHash: "0x" + "00".repeat(31) + "01",
          peerCount: 24,
          latencyMs: 40,
          diskUsedBps: 3_000,
          clientVersionHash: id("healnet-sim/sentinel/1.0.0"),
        },
      }),
    );
  }
  for (let i = 0; i < genesisItems.length; i += 100) {
    await beforeTx();
    await (await suite.health.heartbeatBatch(genesisItems.slice(i, i + 100))).wait();
  }
  while ((await suite.set.activeCount()) < BigInt(seats)) {
    await beforeTx();
    await (await suite.set.fillVacancies(32)).wait();
    if ((await suite.set.backupCount()) === 0n) break;
  }
  // The sentinel sweep: a check of every sentinel (what any keeper or user may call), sent only when it would
  // drop or restore one; its events are recorded for the report.
  const sentinelSweep = async (t: number): Promise<void> => {
    const [dropped, restored] = await suite.sentinels.checkAll.staticCall();
    if (dropped === 0n && restored === 0n) return;
    await beforeTx();
    const receipt = await (await suite.sentinels.checkAll()).wait();
    sentinelPool.sweeps += 1;
    const registry = addresses.sentinels.toLowerCase();
    for (const log of receipt?.logs ?? []) {
      if (log.address.toLowerCase() !== registry) continue;
      const parsed = suite.sentinels.interface.parseLog(log);
      if (parsed === null) continue;
      if (parsed.name === "SentinelDropped")
        sentinelPool.events.push({ at: t, kind: "dropped", sentinel: parsed.args[0] as string });
      else if (parsed.name === "SentinelRestored")
        sentinelPool.events.push({ at: t, kind: "restored", sentinel: parsed.args[0] as string });
      else if (parsed.name === "SentinelPoolDegraded")
        sentinelPool.events.push({ at: t, kind: "degraded", served: Number(parsed.args[0]) });
      else if (parsed.name === "SentinelPoolRecovered")
        sentinelPool.events.push({ at: t, kind: "recovered", served: Number(parsed.args[0]) });
    }
  };
  await sentinelSweep(start);
  const initialActive = await suite.set.activeValidators();
  const watcher = new ChainWatcher({
    provider: ethers.provider,
    set: IValidatorSet__factory.connect(addresses.set, ethers.provider),
    contracts: {
      set: { address: addresses.set, iface: suite.set.interface },
      stake: { address: addresses.stake, iface: suite.stake.interface },
      recovery: { address: addresses.recovery, iface: suite.recovery.interface },
    },
    fromBlock: (await ethers.provider.getBlockNumber()) + 1,
  });
  await watcher.loadStatuses(order);
  const nodes: NodeInfo[] = fleet.nodes.map((n) => ({
    label: n.label,
    validator: n.validator,
    signer: n.operator.signer.address,
    stake: n.operator.stake,
    initialStatus: watcher.status.get(n.validator) ?? "none",
  }));

  // ------------------------------------------------------------------ snapshot service
  // Every SNAPSHOT_EVERY seconds a snapshot of the simulated network is proposed, the guardians attest it
  // (M of N: `attestAsGuardian`) and it is finalized once the window has passed. Its file goes into the
  // driver's content store under its CID, so a resync can fetch it and check it against `contentHash`.
  const snapshots: SnapshotRecord[] = [];
  const attesters = guardianSigners.slice(0, s.guardians.threshold);
  const proposeSnapshot = async (t: number): Promise<void> => {
    const height = fleet.network.height;
    if (snapshots.some((x) => BigInt(x.height) === height)) return;
    const blockHash = blockHashOf(height);
    const file = toUtf8Bytes(
      JSON.stringify({ network: "healnet-sim", seed: s.seed, height: height.toString(), blockHash }),
    );
    const cid = `sim-snapshot/${height}`;
    snapshotFiles.set(cid, file);
    const stateRoot = await suite.stateCommitments.headStateRoot();
    await beforeTx();
    const receipt = await (
      await suite.snapshots.propose(height, blockHash, stateRoot, keccak256(file), cid, file.length)
    ).wait();
    let snapshotId: bigint | undefined;
    for (const log of receipt?.logs ?? []) {
      const parsed = suite.snapshots.interface.parseLog(log);
      if (parsed?.name === "SnapshotProposed") snapshotId = parsed.args[0] as bigint;
    }
    if (snapshotId === undefined) return;
    for (const g of attesters) {
      await beforeTx();
      await (await suite.snapshots.connect(g).attestAsGuardian(snapshotId)).wait();
    }
    snapshots.push({ id: Number(snapshotId), height: Number(height), cid, proposedAt: t, finalizedAt: null });
  };
  const snapshotTick = async (t: number): Promise<void> => {
    for (const snap of snapshots) {
      if (snap.finalizedAt !== null || t < snap.proposedAt + SNAPSHOT_WINDOW) continue;
      try {
        await suite.snapshots.finalize.staticCall(snap.id);
        await beforeTx();
        await (await suite.snapshots.finalize(snap.id)).wait();
        snap.finalizedAt = t;
      } catch {
        // Not finalizable yet (a frozen height would need the guardians): tried again next step.
      }
    }
    if (t - (snapshots[snapshots.length - 1]?.proposedAt ?? -Infinity) >= SNAPSHOT_EVERY)
      await proposeSnapshot(t);
  };
  await proposeSnapshot(start);

  // ------------------------------------------------------------------ state commitments: proposers and watcher
  // An honest proposer (the first live active validator) posts a batch of transfers every BATCH_EVERY
  // seconds on the head its watcher verified; the watcher re-executes every batch each step and proves fraud.
  const sccAddress = await suite.stateCommitments.getAddress();
  // Every transfer is signed for this chain and this StateCommitmentChain (the ledger's EIP-712 domain), the
  // byzantine proposer's batches included: its lie is a claimed root, not a replayed signature.
  const ledgerDomain = {
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: sccAddress,
  };
  const trusted = new LedgerStore(workload.genesis(FRAUD_TREE_DEPTH, ledgerDomain));
  const transfers = new TransferQueue();
  const fraudWatcherWallet = new Wallet(id("healnet-sim/fraud-watcher"), txProvider);
  await fund(ethers.provider, fraudWatcherWallet.address);
  const fraudWatcherSender = await makeSender(fraudWatcherWallet);
  const fraudWatcher = new FraudWatcher({
    scc: IStateCommitmentChain__factory.connect(sccAddress, fraudWatcherWallet),
    provider: ethers.provider,
    send: (request) => fraudWatcherSender.send(withGasLimit(request)),
    store: trusted,
    log: silent,
    options: { startBlock: await ethers.provider.getBlockNumber() },
  });
  const fraud: FraudRecord = { honestBatches: 0, verified: 0, rollbacks: [], lies: new Map() };
  const proposerSenders: Sender[] = [];
  const proposerOf = async (
    node: (typeof fleet.nodes)[number],
    store: LedgerStore,
    source: { take(max: number): Transfer[]; requeue(txs: readonly Transfer[]): void },
    corrupt?: (batch: number, step: number, root: string) => string,
  ) => {
    const wallet = new Wallet(node.operator.account.privateKey, txProvider);
    const nonces = new NonceManager(ethers.provider, wallet.address);
    const sender = await makeSender(wallet, nonces);
    proposerSenders.push(sender);
    const agent = new Proposer({
      scc: IStateCommitmentChain__factory.connect(sccAddress, wallet),
      send: (request) => sender.send(withGasLimit(request)),
      store,
      transfers: source,
      log: silent,
      options: { maxBatchSize: BATCH_TRANSFERS },
      ...(corrupt === undefined ? {} : { corrupt }),
    });
    // The operator's key also unjails (outside this sender): re-read the nonce before each tick.
    return { agent, tick: () => (nonces.invalidate(), agent.tick()) };
  };
  const honestProposers = new Map<string, Awaited<ReturnType<typeof proposerOf>>>();
  const liars = new Map<number, { taken: Transfer[]; requeued: boolean; bondedBefore: bigint }>();
  let nextBatchAt = start + BATCH_EVERY;
  const fraudWatcherTick = async (t: number): Promise<void> => {
    const report = await fraudWatcher.tick();
    fraud.verified += report.verified.length;
    for (const d of report.frauds) recordDetection(d, t);
    for (const rb of report.rollbacks) {
      const at = (await ethers.provider.getBlock(rb.blockNumber))?.timestamp ?? t;
      fraud.rollbacks.push({
        fromCommitmentId: Number(rb.fromCommitmentId),
        at,
        headStateRoot: rb.headStateRoot,
      });
      // The liar's transfers go back to the queue (in order), to be batched again by an honest proposer.
      for (const liar of liars.values()) {
        if (liar.requeued) continue;
        liar.requeued = true;
        transfers.requeue(liar.taken);
      }
    }
  };
  const recordDetection = (d: Detection, t: number) => {
    for (const [fid, lie] of fraud.lies) {
      if (lie.commitmentId === null || BigInt(lie.commitmentId) !== d.commitmentId) continue;
      lie.detectedAt = t;
      lie.result = d.result;
      if (d.challengeAt !== undefined) lie.rolledBackAt = d.challengeAt;
      if (d.challengeTxHash !== undefined) pendingChallengeTx.set(fid, d.challengeTxHash);
    }
  };
  const pendingChallengeTx = new Map<number, string>();
  const honestTick = async (t: number): Promise<void> => {
    if (t < nextBatchAt) return;
    nextBatchAt = t + BATCH_EVERY;
    const lying = new Set([...fraud.lies.values()].map((x) => x.proposer.toLowerCase()));
    const node = watcher
      .activeIn(order)
      .map((v) => fleet.byValidator(v)!)
      .find((n) => n.live(t) && n.equivocatedAt === null && !lying.has(n.validator.toLowerCase()));
    if (node === undefined) return;
    let proposer = honestProposers.get(node.validator);
    if (proposer === undefined) {
      proposer = await proposerOf(node, trusted, transfers);
      honestProposers.set(node.validator, proposer);
    }
    if (transfers.length < BATCH_TRANSFERS) transfers.push(...workload.next(BATCH_TRANSFERS, ledgerDomain));
    const report = await proposer.tick();
    if (report.proposed !== null) fraud.honestBatches++;
  };
  /** A byzantine proposer fault: the victim posts a batch whose first claimed post-root is a lie. */
  const byzantineTick = async (f: InjectedFault): Promise<void> => {
    const v = f.validators[0];
    const node = v === undefined ? undefined : fleet.byValidator(v);
    const lie = {
      proposer: v ?? "",
      commitmentId: null as number | null,
      postedAt: null as number | null,
      detectedAt: null as number | null,
      rolledBackAt: null as number | null,
      challenger: fraudWatcherWallet.address,
      result: "not-posted",
      gasUsed: 0n,
      slashed: 0n,
    };
    fraud.lies.set(f.id, lie);
    if (node === undefined) return;
    const head = await suite.stateCommitments.headStateRoot();
    const base = trusted.get(head);
    if (base === undefined) return;
    const taken: Transfer[] = [];
    const bondedBefore = await suite.stake.bondedOf(node.validator);
    liars.set(f.id, { taken, requeued: false, bondedBefore });
    if (transfers.length < BATCH_TRANSFERS) transfers.push(...workload.next(BATCH_TRANSFERS, ledgerDomain));
    const source = {
      take: (max: number) => {
        const txs = transfers.take(max);
        taken.push(...txs);
        return txs;
      },
      requeue: () => {},
    };
    const liar = await proposerOf(node, new LedgerStore(base), source, (batch, step, root) =>
      batch === 1 && step === 0 ? id(`healnet-sim/lie/${f.id}`) : root,
    );
    const report = await liar.tick();
    if (report.proposed === null) {
      transfers.requeue(taken);
      liars.get(f.id)!.requeued = true;
      return;
    }
    lie.commitmentId = Number(report.proposed.commitmentId);
    lie.postedAt = clock.now;
    lie.result = "pending";
  };

  // ------------------------------------------------------------------ guardian bot
  // On a correlated outage (SetDegraded with correlated = true) the guardians pause slashing until the
  // outage is over plus a heartbeat interval: one guardian proposes (its approval counts), the others sign
  // the approval off-chain, the signatures go in one `approveBySig` a block later, and the proposal (emergency
  // tier: no delay) is executed at once. The pause ends by itself.
  const guardianActions: GuardianActionRecord[] = [];
  const appeals: AppealRecord[] = [];
  const degradationsSeen = new Set<number>();
  const gasOfReceipt = (rc: { gasUsed: bigint } | null | undefined) => rc?.gasUsed ?? 0n;
  const guardianTick = async (t: number): Promise<void> => {
    watcher.degradations.forEach((d, k) => {
      if (degradationsSeen.has(k)) return;
      degradationsSeen.add(k);
      if (!d.correlated) return;
      const f = [...injected]
        .reverse()
        .find((x) => x.type === "correlated-outage" && x.injectedAt <= d.at && d.at <= x.endsAt + interval);
      if (f === undefined || guardianActions.some((a) => a.faultId === f.id)) return;
      guardianActions.push({
        proposalId: 0,
        type: "Pause",
        faultId: f.id,
        reason: `correlated outage of ${f.validators.length} validators (chain halt): pause slashing`,
        triggeredAt: d.at,
        proposedAt: 0,
        approvedAt: null,
        executedAt: null,
        approvals: 0,
        pausedUntil: Math.max(f.endsAt, t) + interval,
        gasUsed: 0n,
      });
    });
    for (const rec of guardianActions) {
      if (rec.executedAt !== null || rec.error !== undefined) continue;
      try {
        if (rec.proposalId === 0) {
          const proposer = guardianSigners[0]!;
          await beforeTx();
          const proposed = await proposeAction(suite.council, proposer, {
            type: "Pause",
            duration: BigInt(rec.pausedUntil! - t),
          });
          rec.proposalId = Number(proposed.proposalId);
          rec.proposedAt = t;
          rec.approvals = 1;
          rec.gasUsed += gasOfReceipt(proposed.receipt);
        } else if (t > rec.proposedAt) {
          const others = guardianSigners.slice(1, s.guardians.threshold);
          const signatures = await collectApprovals(suite.council, others, BigInt(rec.proposalId));
          await beforeTx();
          const approved = await submitApprovals(
            suite.council,
            guardianSigners[0]!,
            BigInt(rec.proposalId),
            signatures,
          );
          rec.approvals += signatures.length;
          rec.approvedAt = t;
          rec.gasUsed += gasOfReceipt(approved);
          await beforeTx();
          const executed = await executeWhenReady(suite.council, guardianSigners[0]!, BigInt(rec.proposalId));
          rec.executedAt = t;
          rec.gasUsed += gasOfReceipt(executed);
        }
      } catch (error) {
        rec.error = error instanceof Error ? error.message.slice(0, 200) : String(error);
      }
    }
  };

  // ------------------------------------------------------------------ upgrade during faults
  // Mid-run, while a fault is active, the ProxyAdmin's owner (the admin: no governance here) upgrades a proxy
  // to its V2 with the migration call; stakes, pending slashes, incidents, the audit head and the active set
  // must be exactly as they were right before (src/suite/invariants.ts).
  let upgrade: UpgradeRecord | null = null;
  const upgradeSpec = s.upgrade;
  const upgradeFrom = start + (upgradeSpec.at ?? Math.floor(s.duration / 2));
  const upgradeLatest = Math.max(upgradeFrom, start + Math.floor((s.duration * 3) / 4));
  const upgradeTick = async (t: number): Promise<void> => {
    if (upgradeSpec.contract === "none" || upgrade !== null || t < upgradeFrom) return;
    const activeFaults = injected.filter((f) => f.injectedAt <= t && t < f.endsAt).map((f) => f.id);
    if (activeFaults.length === 0 && t < upgradeLatest) return;
    const contract = upgradeSpec.contract;
    const key = contract === "NodeHealth" ? "health" : "stake";
    const proxy = contract === "NodeHealth" ? addresses.health : addresses.stake;
    const watched = {
      token: suite.token,
      stake: suite.stake,
      health: suite.health,
      set: suite.set,
      audit: suite.audit,
    };
    const rec: UpgradeRecord = {
      contract,
      proxy,
      implementation: "",
      at: t,
      activeFaults,
      versionBefore: 0,
      versionAfter: 0,
      gasUsed: 0n,
      checks: [],
      ok: false,
    };
    upgrade = rec;
    try {
      const before = await captureState(watched, ethers.provider);
      rec.versionBefore = Number(before.versions.get(key) ?? 0n);
      await beforeTx();
      const next = await ethers.deployContract(`${contract}V2`, [], admin);
      await next.waitForDeployment();
      rec.implementation = await next.getAddress();
      const proxyAdmin = await ethers.getContractAt("ProxyAdmin", suite.proxyAdmins[contract], admin);
      await beforeTx();
      const receipt = await (
        await proxyAdmin.upgradeAndCall(
          proxy,
          rec.implementation,
          next.interface.encodeFunctionData("migrateToV2"),
        )
      ).wait();
      rec.gasUsed = receipt?.gasUsed ?? 0n;
      const after = await captureState(watched, ethers.provider);
      rec.versionAfter = Number(after.versions.get(key) ?? 0n);
      rec.checks = compareStates(before, after, { sameTotals: true, upgraded: [key] });
      rec.ok = rec.checks.every((c) => c.ok) && rec.versionAfter === rec.versionBefore + 1;
    } catch (error) {
      rec.error = error instanceof Error ? error.message.slice(0, 200) : String(error);
    }
  };

  // ------------------------------------------------------------------ appeals
  // A validator accused of downtime while its node was running (by the ground truth: no crash, outage or
  // restart in the liveness window before the detection) appeals its pending slash at once, with a heartbeat
  // its signer signs over a block of this chain seen inside the window (IValidatorSet.appealSlash).
  const appealed = new Set<number>();
  const DOWN_CONDITIONS: readonly Condition[] = ["crashed", "outage", "restarting"];
  const appealTick = async (t: number): Promise<void> => {
    for (const inc of watcher.incidents.values()) {
      if (inc.kind !== "downtime" || inc.slash !== "pending" || appealed.has(inc.id)) continue;
      if (t >= inc.detectedAt + p.appealWindow) continue;
      const node = fleet.byValidator(inc.validator);
      if (node === undefined) continue;
      const from = inc.detectedAt - start - (p.heartbeatInterval + p.gracePeriod) - s.blockTime;
      const to = inc.detectedAt - start;
      const segments = timeline.get(node.validator) ?? [];
      const wasDown = segments.some(
        (x) => DOWN_CONDITIONS.includes(x.condition) && x.from <= to && x.to > from,
      );
      appealed.add(inc.id);
      if (wasDown) continue; // rightly accused: no appeal
      const record: AppealRecord = { incidentId: inc.id, validator: inc.validator, at: t, ok: false };
      appeals.push(record);
      try {
        const on = await suite.set.incident(inc.id);
        const block = await ethers.provider.getBlock(Number(on.detectedBlock));
        if (block === null || block.hash === null) throw new Error("the detection block is not visible");
        const proof = await signHeartbeat(node.operator.signer, domain, {
          validator: node.validator,
          signerEpoch: on.signerEpoch,
          timestamp: on.detectedAt,
          report: {
            blockHeight: BigInt(block.number),
            blockHash: block.hash,
            peerCount: 24,
            latencyMs: node.latencyMs,
            diskUsedBps: 4_000 + node.index,
            clientVersionHash: id("healnet-sim/1.0.0"),
          },
        });
        const set = suite.set.connect(node.operator.account);
        await set.appealSlash.staticCall(inc.id, proof);
        await beforeTx();
        await (await set.appealSlash(inc.id, proof)).wait();
        record.ok = true;
      } catch (error) {
        record.error = error instanceof Error ? error.message.slice(0, 200) : String(error);
      }
    }
  };

  const firstBlock = (await ethers.provider.getBlockNumber()) + 1;
  const setupWallTimeS = (performance.now() - wallStart) / 1000;

  // ------------------------------------------------------------------ the run
  const steps = Math.ceil(s.duration / s.blockTime);
  const interval = p.heartbeatInterval;
  const nextDue = fleet.nodes.map(() => start + interval);
  const latencyDelayed = fleet.nodes.map(() => false);
  const flapTried = fleet.nodes.map(() => false);
  const maxBurst = Math.max(0, Math.floor((p.gracePeriod - 2 * s.blockTime) / s.blockTime));
  const victimRng = Rng.derive(s.seed, "victims");
  // Its own generator, so the sentinel outage does not change which validators the other faults hit.
  const sentinelRng = Rng.derive(s.seed, "sentinels");
  const flapRng = Rng.derive(s.seed, "flap");
  const hit = new Set<string>();
  const injected: InjectedFault[] = [];
  const pendingFaults: ScheduledFault[] = [...schedule];
  const timeline = new Map<string, Segment[]>(order.map((v) => [v, []]));
  const correlatedHealedAt = new Map<number, number>();
  const agentFaultTimes = new Map<number, { detectedAt?: number; healedAt?: number }>();
  const quorum = { samples: 0, withQuorum: 0 };
  let belowMinActiveS = 0;
  const operatorTried = new Map<string, number>();
  const nextGrid = (t: number) => start + (Math.floor((t - start) / interval) + 1) * interval;
  const sentinelNextDue = sentinelPool.ids.map(() => start + interval);
  // The sentinel sweep runs every ~15 simulated seconds (a silent sentinel is dropped within that of going Overdue).
  const sweepEvery = Math.max(1, Math.round(15 / s.blockTime));

  // Wall time per phase of a step (reported, to show where the time goes).
  const prof: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    prof[name] = (prof[name] ?? 0) + now - mark;
    mark = now;
  };
  phase(`running ${steps} steps of ${s.blockTime} s (${s.duration} simulated seconds)`);
  for (let step = 1; step <= steps; step++) {
    const t = start + step * s.blockTime;
    mark = performance.now();
    await mineAt(t);
    // Time moves now; an agent waiting on it (a node restart) is woken in the orchestrator's phase below.
    clock.moveTo(t);
    lap("mine");
    // The fraud watcher re-executes the batches of the previous blocks.
    await fraudWatcherTick(t);
    lap("fraud");

    // Faults due now.
    while (pendingFaults.length > 0 && start + pendingFaults[0]!.at <= t) {
      const fault = pendingFaults.shift()!;
      const active = watcher.activeIn(order);
      const f = injectFault(fault, { fleet, now: t, active, initialActive, hit, rng: victimRng }, start);
      injected.push(f);
      if (fault.type === "byzantine-proposer") await byzantineTick(f);
      if (fault.type === "keeper-crash" || fault.type === "rpc-outage") {
        const slot = keepers[f.keeper ?? 0]!;
        if (fault.type === "keeper-crash") {
          slot.downUntil = f.endsAt;
          agentEvents.push({ at: t - start, agent: slot.name, event: "crashed" });
          agentFaultTimes.set(f.id, { detectedAt: t });
        } else {
          slot.rpcDownUntil = f.endsAt;
          agentFaultTimes.set(f.id, {});
        }
        slot.healing.add(f.id);
      }
      if (fault.type === "sentinel-outage") {
        const want = Math.min(sentinelPool.ids.length, fault.spec.count ?? 1);
        const silent = sentinelRng.sample([...sentinelPool.ids.keys()], want).sort((a, b) => a - b);
        for (const i of silent) sentinelDownUntil[i] = f.endsAt;
        sentinelPool.outages.set(
          f.id,
          silent.map((i) => sentinelPool.ids[i]!),
        );
        f.nodes = silent.map((i) => `s${i + 1}`);
      }
      if (fault.type === "double-sign") {
        for (const v of f.validators) {
          const node = fleet.byValidator(v)!;
          const setDomain = await domainOf(suite.set);
          const height = fleet.network.height;
          const first = await signVote(node.operator.signer, setDomain, {
            height,
            round: 0,
            blockHash: id(`a/${height}`),
          });
          const second = await signVote(node.operator.signer, setDomain, {
            height,
            round: 0,
            blockHash: id(`b/${height}`),
          });
          // The vote watcher sees both votes one block later.
          pendingEvidence.push({ at: t + s.blockTime, item: { first, second } });
        }
      }
    }
    while (pendingEvidence.length > 0 && pendingEvidence[0]!.at <= t)
      evidence.push(pendingEvidence.shift()!.item);

    lap("faults");
    const activeNow = watcher.activeIn(order);
    fleet.step(t, activeNow, s.blockTime);

    // Sidecars.
    const due: number[] = [];
    for (const node of fleet.nodes) {
      const i = node.index;
      const status = watcher.status.get(node.validator);
      if (status === "tombstoned" || status === "exited" || status === "none") continue;
      if (t < nextDue[i]!) continue;
      if (node.slowUntil !== null && t < node.slowUntil && !latencyDelayed[i]) {
        // A slow RPC: this heartbeat arrives late (inside the grace period).
        latencyDelayed[i] = true;
        nextDue[i] = t + Math.max(1, Math.ceil(node.latencyMs / 1000 / s.blockTime)) * s.blockTime;
        continue;
      }
      if (node.flappingUntil !== null && t < node.flappingUntil && !flapTried[i] && maxBurst > 0) {
        flapTried[i] = true;
        if (flapRng.next() < 0.6) node.unreachableUntil = t + flapRng.int(1, maxBurst) * s.blockTime;
      }
      due.push(i);
    }
    const outcomes = await Promise.all(due.map((i) => sidecars[i]!.tick()));
    due.forEach((i, k) => {
      const ok = outcomes[k]!.status === "relayed";
      if (ok) {
        nextDue[i] = nextGrid(t);
        latencyDelayed[i] = false;
        flapTried[i] = false;
      } else nextDue[i] = t + s.blockTime;
    });
    // The sentinels' sidecars (a silent sentinel's probe fails: it sends nothing).
    const sentinelDue = sentinelPool.ids.map((_, i) => i).filter((i) => t >= sentinelNextDue[i]!);
    const sentinelOutcomes = await Promise.all(sentinelDue.map((i) => sentinelSidecars[i]!.tick()));
    sentinelDue.forEach((i, k) => {
      sentinelNextDue[i] = sentinelOutcomes[k]!.status === "relayed" ? nextGrid(t) : t + s.blockTime;
    });
    queue.flush();
    lap("sidecars");

    // Keepers.
    for (const slot of keepers) {
      if (slot.downUntil !== null) {
        if (t < slot.downUntil) continue;
        slot.downUntil = null;
        slot.keeper = makeKeeper(slot); // a fresh process: state from the chain and the intent log only
        agentEvents.push({ at: t - start, agent: slot.name, event: "restarted" });
      }
      try {
        const report = await slot.keeper.tick();
        for (const a of report.actions) actions.push({ ...a, at: t - start, agent: slot.name });
        for (const fid of slot.healing) {
          const times = agentFaultTimes.get(fid)!;
          const f = injected.find((x) => x.id === fid)!;
          if (t >= f.endsAt) {
            times.healedAt = t;
            slot.healing.delete(fid);
            if (f.type === "rpc-outage")
              agentEvents.push({ at: t - start, agent: slot.name, event: "rpc-ok" });
          }
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const rpcDown = slot.rpcDownUntil !== null && t < slot.rpcDownUntil;
        agentEvents.push({
          at: t - start,
          agent: slot.name,
          event: rpcDown ? "rpc-failed" : "tick-failed",
          detail: message,
        });
        for (const fid of slot.healing) {
          const times = agentFaultTimes.get(fid)!;
          if (times.detectedAt === undefined) times.detectedAt = t;
        }
      }
    }

    lap("keepers");
    if (step % sweepEvery === 0) await sentinelSweep(t);
    lap("sentinels");
    // The orchestrator: runs up to its next wait on simulated time.
    if (orchestrator !== null) {
      orchestratorPhase = true;
      clock.wakeDue();
      if (orchTick === null) {
        orchStats.ticks++;
        orchTick = orchestrator
          .tick({ signal: new AbortController().signal, tick: orchStats.ticks })
          .then((r) => {
            for (const h of r.handled)
              if (h.result === "reported-ok" || h.result === "reported-failed") orchStats.reports++;
          })
          .catch(() => {
            orchStats.failures++;
          })
          .finally(() => {
            orchTick = null;
          });
      }
      if (!clock.hasWaiters()) await Promise.race([orchTick, clock.nextWaiter()]);
      orchestratorPhase = false;
    }
    if (outOfPhase !== null) throw new Error(`simulation engine bug: ${outOfPhase}`);

    lap("orchestrator");
    // Validator owners: a healed node's owner unjails it once the jail time is over, and refreshes a parked backup.
    for (const node of fleet.nodes) {
      const v = node.validator;
      const status = watcher.status.get(v);
      if (status !== "jailed" && status !== "parked") continue;
      if (!node.live(t) || node.equivocatedAt !== null) continue;
      const last = operatorTried.get(v) ?? 0;
      if (t - last < interval) continue;
      if (status === "jailed" && t < (watcher.jailedUntil.get(v) ?? 0)) continue;
      operatorTried.set(v, t);
      try {
        if (status === "jailed") await suite.stake.connect(node.operator.account).unjail.staticCall();
        else await suite.set.connect(node.operator.account).refreshBackup.staticCall(v);
        await beforeTx();
        const tx =
          status === "jailed"
            ? await suite.stake.connect(node.operator.account).unjail()
            : await suite.set.connect(node.operator.account).refreshBackup(v);
        await tx.wait();
      } catch {
        // Not yet possible (not ready, still jailed): tried again next interval.
      }
    }

    lap("operators");
    // The snapshot service and the honest state proposer.
    await snapshotTick(t);
    await honestTick(t);
    lap("fraud");
    await watcher.poll(t, sameTimestamp);
    lap("watcher");
    // The guardians act on what the chain reported (a correlated outage: pause slashing); a wrongly accused
    // validator appeals its pending slash.
    await guardianTick(t);
    await appealTick(t);
    lap("guardians");
    await upgradeTick(t);
    lap("upgrade");

    // Correlated outages heal when every victim heartbeats again (on-chain).
    for (const f of injected) {
      if (f.type !== "correlated-outage" || correlatedHealedAt.has(f.id) || t < f.endsAt) continue;
      const last = await Promise.all(f.validators.map((v) => suite.health.lastHeartbeatAt(v)));
      if (last.every((x) => Number(x) >= f.endsAt))
        correlatedHealedAt.set(f.id, Math.max(...last.map(Number)));
    }

    // Ground truth samples.
    const active = watcher.activeIn(order);
    const live = active.filter((v) => fleet.byValidator(v)!.live(t)).length;
    quorum.samples++;
    if (live * 3 >= active.length * 2 && active.length > 0) quorum.withQuorum++;
    if (active.length < p.minActive) belowMinActiveS += s.blockTime;
    for (const node of fleet.nodes) {
      const status = watcher.status.get(node.validator) ?? "none";
      const condition = node.condition(t);
      const segments = timeline.get(node.validator)!;
      const last = segments[segments.length - 1];
      if (last && last.status === status && last.condition === condition && last.to === t - start)
        last.to = t - start + s.blockTime;
      else segments.push({ from: t - start, to: t - start + s.blockTime, status, condition });
    }

    lap("samples");
    options.onProgress?.({
      step,
      steps,
      elapsed: t - start,
      duration: s.duration,
      // Every transaction is a block of its own; one empty block per step moves the clock.
      txs: Math.max(0, watcher.latestBlock - firstBlock + 1 - step),
      incidents: watcher.incidents.size,
      faults: injected.length,
    });
  }

  // ------------------------------------------------------------------ the end: conservation, audit, totals
  const end = start + steps * s.blockTime;
  const totals = await suite.stake.totals();
  const balance = await suite.token.balanceOf(addresses.stake);
  const conserved = totals.deposited === totals.bonded + totals.unbonding + totals.withdrawn + totals.slashed;
  const balanceMatches = balance === totals.bonded + totals.unbonding + totals.rewardsOwed;
  let audit: SimRecord["audit"];
  try {
    const v = await verifyAuditTrail(suite.audit);
    audit = { verified: v.ok, entries: Number(v.length), ...(v.reason ? { reason: v.reason } : {}) };
  } catch (error) {
    audit = { verified: false, entries: 0, reason: error instanceof Error ? error.message : String(error) };
  }
  const lastBlock = await ethers.provider.getBlockNumber();
  let chainTxs = 0;
  let gasUsed = 0n;
  for (let b = firstBlock; b <= lastBlock; b++) {
    const block = await ethers.provider.getBlock(b);
    if (block === null) continue;
    chainTxs += block.transactions.length;
    gasUsed += block.gasUsed;
  }
  const receipts = new Map<string, { gasUsed: bigint; from: string }>();
  for (const inc of watcher.incidents.values())
    for (const t of inc.txs) {
      if (receipts.has(t.hash)) continue;
      const rc = await ethers.provider.getTransactionReceipt(t.hash);
      if (rc) receipts.set(t.hash, { gasUsed: rc.gasUsed, from: rc.from });
    }
  for (const [fid, hash] of pendingChallengeTx) {
    const lie = fraud.lies.get(fid)!;
    const rc = await ethers.provider.getTransactionReceipt(hash);
    lie.gasUsed = rc?.gasUsed ?? 0n;
  }
  for (const [fid, liar] of liars) {
    const lie = fraud.lies.get(fid)!;
    if (lie.rolledBackAt === null) continue;
    const after = await suite.stake.bondedOf(lie.proposer);
    lie.slashed = liar.bondedBefore > after ? liar.bondedBefore - after : 0n;
  }
  for (const slot of keepers) slot.sender.close();
  orchSender.close();
  fraudWatcherSender.close();
  for (const sender of proposerSenders) sender.close();

  const wallTimeS = (performance.now() - wallStart) / 1000;
  return {
    scenario: s,
    start,
    end,
    steps,
    sameTimestamp,
    network: sameTimestamp ? "embedded" : "external",
    chainParams: {
      heartbeatInterval: p.heartbeatInterval,
      gracePeriod: p.gracePeriod,
      blockTime: s.blockTime,
      maxHeightLag: p.maxHeightLag,
      stallReports: p.stallReports,
      stallEscalationDelay: p.stallEscalationDelay,
      appealWindow: p.appealWindow,
      jailDuration: p.jailDuration,
      minActive: p.minActive,
      maxActive: seats,
      correlatedFaultBps: p.correlatedFaultBps,
      uptimeWindowS: parameters.health.uptimeWindow * parameters.epochLength,
    },
    addresses,
    agents: {
      keepers: keepers.map((k) => k.wallet.address),
      orchestrator: orchestratorWallet.address,
      treasury: suite.treasury,
      guardians: suite.guardianAddresses,
      threshold: suite.threshold,
    },
    nodes,
    faults: injected,
    watcher,
    timeline,
    actions,
    agentEvents,
    driverOps: driver.ops,
    orchestrator: orchStats,
    snapshots,
    guardianActions,
    appeals,
    upgrade,
    fraud,
    correlatedHealedAt,
    sentinels: sentinelPool,
    agentFaultTimes,
    quorum,
    belowMinActiveS,
    networkHaltedS: fleet.network.haltedSeconds,
    finalActive: watcher.activeIn(order).length,
    chain: { txs: chainTxs, gasUsed, blocks: lastBlock - firstBlock + 1, firstBlock, lastBlock },
    stake: {
      conserved,
      deposited: totals.deposited,
      bonded: totals.bonded,
      unbonding: totals.unbonding,
      withdrawn: totals.withdrawn,
      slashed: totals.slashed,
      rewardsOwed: totals.rewardsOwed,
      balanceMatches,
    },
    audit,
    performance: { phaseMs: prof, viewCalls: tap.calls, viewCacheHits: tap.hits },
    receipts,
    wallTimeS,
    setupWallTimeS,
  };
}
