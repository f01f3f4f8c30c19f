/**
 * What the in-process agent tests (keeper, orchestrator) run on: a fresh Hardhat network (isolated from the
 * other test files) behind the loopback fault proxy (test/helpers/fake-rpc.ts), a temporary folder for intent
 * logs and state files, and chain clients on the proxy. `close` (call it in `after`) closes every client, the
 * proxy and the network, and removes the folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";

import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import type { CoreSuite } from "../../src/suite/deploy.js";
import { healthyReport, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { startFakeRpc, type FakeRpc } from "./fake-rpc.js";

const GWEI = 10n ** 9n;

export type Connection = Awaited<ReturnType<typeof network.create>>;

export interface AgentEnv {
  readonly connection: Connection;
  /** The fault proxy in front of the network: every client sends through it. */
  readonly rpc: FakeRpc;
  /** A temporary folder for intent logs and state files. */
  readonly dir: string;
  /** Every client `client` made, in order. */
  readonly clients: readonly ChainClient[];
  /**
   * A chain client on the proxy sending with `privateKey` (Hardhat's chain id, a 100 gwei fee cap, short RPC
   * and sender waits); its intent log at `intentLog` (default: a new file in `dir`; the same path again is a
   * restart on the same log).
   */
  client(privateKey: string, intentLog?: string): Promise<ChainClient>;
  close(): Promise<void>;
}

/** Starts the network, the proxy and the folder (named `healnet-<name>-…` in the OS temp dir). */
export async function startAgentEnv(name: string): Promise<AgentEnv> {
  const connection = await network.create();
  let rpc: FakeRpc;
  try {
    rpc = await startFakeRpc(connection.provider);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const dir = mkdtempSync(join(tmpdir(), `healnet-${name}-`));
  const clients: ChainClient[] = [];
  return {
    connection,
    rpc,
    dir,
    clients,
    async client(privateKey, intentLog = join(dir, `intents-${clients.length}.sqlite`)) {
      const c = await makeChainClient({
        urls: [rpc.url],
        chainId: 31337n,
        privateKey,
        intentLogPath: intentLog,
        maxFeePerGasCap: 100n * GWEI,
        rpc: { timeoutMs: 5_000, cooldownMs: 50, maxRounds: 1, pollingIntervalMs: 50 },
        sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs: 20_000 },
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await rpc.close();
      await connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Heartbeat rounds 20 s apart (under the 30 s epoch, so none is missed) from `alive`, for `seconds`. */
export async function heartbeatRounds(
  env: Pick<AgentEnv, "connection">,
  suite: CoreSuite,
  seconds: number,
  alive: readonly Operator[],
): Promise<void> {
  for (let done = 0; done < seconds; done += 20) {
    await env.connection.networkHelpers.time.increase(20);
    await heartbeatAll(suite, alive);
  }
}

/** Heartbeats from the sentinels signing with `which`, at the best height (a sentinel far behind it would be Stalled). */
export async function sentinelHeartbeats(
  env: Pick<AgentEnv, "connection">,
  suite: CoreSuite,
  which: readonly { signer: HardhatEthersSigner }[],
): Promise<void> {
  const report = await healthyReport(env.connection.ethers.provider);
  const best = await suite.health.bestHeight();
  for (const s of which)
    await (
      await suite.health
        .connect(s.signer)
        .heartbeat({ ...report, blockHeight: best > report.blockHeight ? best : report.blockHeight })
    ).wait();
}
