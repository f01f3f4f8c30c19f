/**
 * A fleet of validator operators for the embedded network: each operator has a staking account and a separate
 * signer key (heartbeats and votes), both funded with gas money; operators bond stake and register as
 * candidates. Used by the integration tests, the bench and the simulation.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, type Provider, type TransactionResponse } from "ethers";

import type { CoreSuite } from "./deploy.js";

export interface Operator {
  /** The staking address: bonds, registers, exits. */
  account: Wallet;
  /** The heartbeat and consensus key. */
  signer: Wallet;
  stake: bigint;
}

export interface HealthReportInput {
  blockHeight: bigint;
  blockHash: string;
  peerCount: number;
  latencyMs: number;
  diskUsedBps: number;
  clientVersionHash: string;
}

const GAS_MONEY = 10n ** 21n; // 1,000 ETH of the embedded network

/** Sets an account's ETH balance on a development network (Hardhat/EDR or anvil). */
export async function fund(
  provider: Provider & { send(method: string, params: unknown[]): Promise<unknown> },
  address: string,
  wei: bigint = GAS_MONEY,
): Promise<void> {
  await provider.send("hardhat_setBalance", [address, `0x${wei.toString(16)}`]);
}

/**
 * Creates `stakes.length` operators with deterministic keys derived from `seed`, funds them, transfers each its
 * stake from the suite admin, bonds it and registers it as a candidate. Returns them in the order of `stakes`.
 */
export async function createOperators(
  ethers: HardhatEthers,
  suite: CoreSuite,
  stakes: readonly bigint[],
  seed = "healnet-fleet",
): Promise<Operator[]> {
  const provider = ethers.provider;
  const operators: Operator[] = stakes.map((stake, i) => ({
    account: new Wallet(ethers.id(`${seed}/account/${i}`), provider),
    signer: new Wallet(ethers.id(`${seed}/signer/${i}`), provider),
    stake,
  }));
  const stakeAddress = await suite.stake.getAddress();
  for (const op of operators) {
    await fund(provider, op.account.address);
    await fund(provider, op.signer.address);
  }
  const pending: TransactionResponse[] = [];
  for (const op of operators) {
    pending.push(await suite.token.connect(suite.admin).transfer(op.account.address, op.stake));
  }
  await Promise.all(pending.map((tx) => tx.wait()));
  for (const op of operators) {
    const token = suite.token.connect(op.account);
    await (await token.approve(stakeAddress, op.stake)).wait();
    await (await suite.stake.connect(op.account).bond(op.stake)).wait();
    await (await suite.set.connect(op.account).registerCandidate(op.signer.address)).wait();
  }
  return operators;
}

/** A healthy report about the embedded chain's latest block (so appeals can check its hash). */
export async function healthyReport(provider: Provider): Promise<HealthReportInput> {
  const block = await provider.getBlock("latest");
  if (block === null || block.hash === null) throw new Error("the node returned no latest block");
  return {
    blockHeight: BigInt(block.number),
    blockHash: block.hash,
    peerCount: 25,
    latencyMs: 40,
    diskUsedBps: 4_200,
    clientVersionHash: "0x" + "ab".repeat(32),
  };
}

/** Sends one heartbeat from each operator's signer key, with a healthy report, and waits for them. */
export async function heartbeatAll(suite: CoreSuite, operators: readonly Operator[]): Promise<void> {
  const provider = suite.admin.provider;
  if (provider === null) throw new Error("the admin signer has no provider");
  const report = await healthyReport(provider);
  const txs = [];
  for (const op of operators) txs.push(await suite.health.connect(op.signer).heartbeat(report));
  await Promise.all(txs.map((tx) => tx.wait()));
}
