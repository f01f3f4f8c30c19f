/**
 * A keeper for the in-process tests, on a chain client of test/helpers/agent-env.ts: the deployed suite's
 * contracts bound to the client's signer, the client sending, the chain's latest block as its clock, and
 * `keeperOptions` unless the test overrides them.
 */
import { makeLogger, type Logger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import {
  Keeper,
  type HeartbeatSource,
  type KeeperContracts,
  type KeeperOptions,
} from "../../src/agents/keeper/keeper.js";
import { registerKeeperMetrics, type KeeperMetrics } from "../../src/agents/keeper/metrics.js";
import type { ChainClient } from "../../src/chain/index.js";
import type { CoreSuite, Suite } from "../../src/suite/deploy.js";
import {
  INodeHealth__factory,
  IRecoveryManager__factory,
  ISentinelRegistry__factory,
  IStakeManager__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";

/**
 * The options the keeper tests run with: rotation out of the way (`rotateEveryTicks: 1_000`, so a tick acts
 * only on what the test set up) and reward claiming off, then `overrides`.
 */
export function keeperOptions(overrides: Partial<KeeperOptions> = {}): Partial<KeeperOptions> {
  return { rotateEveryTicks: 1_000, claimRewardsAbove: 0n, ...overrides };
}

export interface TestKeeperSetup {
  /** Also give it the RecoveryManager (the keeper then restores remediated jailed validators). */
  recovery?: boolean;
  /** Also give it the SentinelRegistry (the keeper then sweeps the sentinel pool). */
  sentinels?: boolean;
  heartbeats?: HeartbeatSource;
  /** Default: errors only, discarded. */
  log?: Logger;
  /** Over `keeperOptions()`. */
  options?: Partial<KeeperOptions>;
}

export interface TestKeeper {
  agent: Keeper;
  metrics: KeeperMetrics;
  registry: Registry;
}

/** A keeper sending through `client`. `recovery` / `sentinels` need a suite from `deploySuite`. */
export async function makeKeeper(
  suite: CoreSuite & Partial<Pick<Suite, "recovery" | "sentinels">>,
  client: ChainClient,
  setup: TestKeeperSetup = {},
): Promise<TestKeeper> {
  const contracts: KeeperContracts = {
    set: IValidatorSet__factory.connect(await suite.set.getAddress(), client.signer),
    health: INodeHealth__factory.connect(await suite.health.getAddress(), client.signer),
    stake: IStakeManager__factory.connect(await suite.stake.getAddress(), client.signer),
  };
  if (setup.recovery) {
    if (suite.recovery === undefined) throw new Error("makeKeeper: recovery needs a deploySuite suite");
    contracts.recovery = IRecoveryManager__factory.connect(await suite.recovery.getAddress(), client.signer);
  }
  if (setup.sentinels) {
    if (suite.sentinels === undefined) throw new Error("makeKeeper: sentinels needs a deploySuite suite");
    contracts.sentinels = ISentinelRegistry__factory.connect(
      await suite.sentinels.getAddress(),
      client.signer,
    );
  }
  const registry = new Registry();
  const metrics = registerKeeperMetrics(registry);
  const agent = new Keeper({
    contracts,
    address: client.address,
    send: (request) => client.send(request),
    chainTime: async () => BigInt((await client.provider.getBlock("latest"))?.timestamp ?? 0),
    log: setup.log ?? makeLogger({ level: "error", sink: () => {} }),
    metrics,
    heartbeats: setup.heartbeats,
    options: keeperOptions(setup.options),
  });
  return { agent, metrics, registry };
}
