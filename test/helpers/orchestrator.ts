/**
 * The orchestrator on the deployed suite, for the in-process tests (on test/helpers/agent-env.ts): a suite
 * with a final snapshot to resync from, orchestrators sending as `OPERATOR` with short ladder waits, logs
 * collected, and a way to stall the next validator (alive, far behind the best height) so that it needs
 * remediation. The scriptable driver stays in test/agents/orchestrator-fake-driver.ts.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import type { Driver } from "../../src/agents/orchestrator/driver.js";
import {
  registerOrchestratorMetrics,
  type OrchestratorMetrics,
} from "../../src/agents/orchestrator/metrics.js";
import {
  makeOrchestrator,
  type OrchestratorContracts,
  type Orchestrator,
  type OrchestratorOptions,
} from "../../src/agents/orchestrator/orchestrator.js";
import type { StateStore } from "../../src/agents/orchestrator/state.js";
import { cidOf } from "../../src/agents/orchestrator/store.js";
import type { ChainClient } from "../../src/chain/index.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { createOperators, healthyReport, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import {
  IRecoveryManager__factory,
  ISentinelRegistry__factory,
  ISnapshotRegistry__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import type { AgentEnv } from "./agent-env.js";
import { devWallet } from "./chain-fixture.js";

const TOKEN = 10n ** 18n;

/** The orchestrator's sending account: the suite's ORCHESTRATOR_ROLE holder. */
export const OPERATOR = devWallet(9);
/** Every validator's node config (the reprovision rung's `configCid`). */
export const CONFIG_CID = cidOf(toUtf8Bytes('{"chainId":31337}'));

/** One tick, bounded (60 s unless the test passes its own signal). */
export const tick = (orch: Orchestrator, signal = AbortSignal.timeout(60_000)) =>
  orch.tick({ signal, tick: 1 });

export interface SnapshotSuite {
  suite: Suite;
  /** The first account: the suite's admin and its guardian council (1-of-1). */
  admin: HardhatEthersSigner;
  /** The final snapshot. */
  snapshotId: bigint;
  /** Active validators, all heartbeating. */
  validators: Operator[];
}

/**
 * Deploys the suite with OPERATOR as orchestrator and the admin as guardian (it requests resyncs directly),
 * a final snapshot (proposed with a bond, attested by the guardian, its 60 s window passed) and validators
 * staking `stakes` thousand tokens (named `label`), all active and heartbeating.
 */
export async function deployWithFinalSnapshot(
  env: Pick<AgentEnv, "connection">,
  stakes: readonly bigint[],
  label: string,
): Promise<SnapshotSuite> {
  const { connection } = env;
  const [admin] = await connection.ethers.getSigners();
  const suite = await deploySuite(connection.ethers, {
    guardian: admin!.address,
    orchestrator: OPERATOR.address,
    parameters: withParameters({ snapshots: { challengeWindow: 60 } }),
  });

  const bond = suite.parameters.snapshots.proposalBond;
  await (await suite.token.approve(await suite.snapshots.getAddress(), bond)).wait();
  await (
    await suite.snapshots.propose(
      500n,
      "0x" + "aa".repeat(32),
      "0x" + "bb".repeat(32),
      keccak256(toUtf8Bytes("snapshot file")),
      "bafkreisnapshotfile",
      13n,
    )
  ).wait();
  const snapshotId = await suite.snapshots.snapshotCount();
  await (await suite.snapshots.attestAsGuardian(snapshotId)).wait();
  await connection.networkHelpers.time.increase(61);
  await (await suite.snapshots.finalize(snapshotId)).wait();

  const validators = await createOperators(
    connection.ethers,
    suite,
    stakes.map((k) => k * 1_000n * TOKEN),
    label,
  );
  await heartbeatAll(suite, validators);
  await (await suite.set.fillVacancies(validators.length)).wait();
  await heartbeatAll(suite, validators);
  return { suite, admin: admin!, snapshotId, validators };
}

export interface OrchestratorSetup {
  /** The sender's intent log (default: a new file; the same path again is a restart on the same log). */
  intents?: string;
  state?: StateStore;
  /** Also give it the SentinelRegistry (a resync then syncs from a live sentinel). */
  sentinels?: boolean;
  /** Over the bench's: from the current block, ranges of 5 blocks, the short ladder. */
  options?: Partial<OrchestratorOptions>;
}

export interface OrchestratorBench {
  /** A chain client sending as OPERATOR (see AgentEnv.client). */
  client(intentLog?: string): Promise<ChainClient>;
  /** An orchestrator on its own client, logging at debug level into `lines`. */
  orchestrator(
    driver: Driver,
    setup?: OrchestratorSetup,
  ): Promise<{
    orch: Orchestrator;
    lines: Record<string, unknown>[];
    metrics: OrchestratorMetrics;
    chain: ChainClient;
  }>;
  /** The validator the next `stall` picks. */
  nextVictim(): Operator;
  /**
   * Makes the next of `validators` stalled (alive, far behind the best height) and opens its remediation
   * (`checkHeartbeat`); the others report the best height.
   */
  stall(): Promise<{ victim: Operator; incidentId: bigint }>;
}

/**
 * Orchestrators on `suite` through `env`. With `validators`, each gets CONFIG_CID as its node config and
 * `stall` picks its victims among them, in order.
 */
export function orchestratorBench(
  env: AgentEnv,
  suite: Suite,
  validators: readonly Operator[] = [],
): OrchestratorBench {
  const { connection } = env;
  let next = 0;
  const client = (intentLog?: string) => env.client(OPERATOR.privateKey, intentLog);
  const nextVictim = () => {
    const victim = validators[next];
    if (victim === undefined) throw new Error("orchestratorBench: no validator left to stall");
    return victim;
  };
  return {
    client,
    async orchestrator(driver, setup = {}) {
      const chain = await client(setup.intents);
      const lines: Record<string, unknown>[] = [];
      const metrics = registerOrchestratorMetrics(new Registry());
      const contracts: OrchestratorContracts = {
        set: IValidatorSet__factory.connect(await suite.set.getAddress(), chain.signer),
        recovery: IRecoveryManager__factory.connect(await suite.recovery.getAddress(), chain.signer),
        snapshots: ISnapshotRegistry__factory.connect(await suite.snapshots.getAddress(), chain.signer),
      };
      if (setup.sentinels)
        contracts.sentinels = ISentinelRegistry__factory.connect(
          await suite.sentinels.getAddress(),
          chain.signer,
        );
      const orch = makeOrchestrator({
        contracts,
        driver,
        sender: chain,
        provider: chain.provider,
        log: makeLogger({
          level: "debug",
          sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
        }),
        metrics,
        state: setup.state,
        options: {
          fromBlock: BigInt(await connection.ethers.provider.getBlockNumber()),
          maxBlockRange: 5,
          maxRangesPerTick: 100,
          nodeConfigs: Object.fromEntries(validators.map((v) => [v.account.address, CONFIG_CID])),
          ladder: { healWaitMs: 50, healPollMs: 5, restartTimeoutMs: 2_000 },
          ...setup.options,
        },
      });
      return { orch, lines, metrics, chain };
    },
    nextVictim,
    async stall() {
      const victim = nextVictim();
      next++;
      const others = validators.filter((v) => v !== victim);
      for (let round = 0; round < suite.parameters.health.stallReports; round++) {
        await connection.networkHelpers.time.increase(5);
        const report = await healthyReport(connection.ethers.provider);
        for (const op of others)
          await (
            await suite.health.connect(op.signer).heartbeat({ ...report, blockHeight: 1_000_000n })
          ).wait();
        await (await suite.health.connect(victim.signer).heartbeat({ ...report, blockHeight: 1n })).wait();
      }
      expect(await suite.health.livenessOf(victim.account.address)).to.equal(4n); // Stalled
      await (await suite.set.checkHeartbeat(victim.account.address)).wait();
      const incidentId = await suite.set.openRemediationOf(victim.account.address);
      expect(incidentId).to.not.equal(0n);
      return { victim, incidentId };
    },
  };
}
