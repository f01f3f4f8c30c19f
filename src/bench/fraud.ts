/**
 * Fraud-proof rows of `npm run bench`: the gas of `StateCommitmentChain.challenge` proving a lie (the whole
 * transaction: re-execution of one signed transfer, both account proofs, the step proof, the rollback, the
 * StakeManager slash and the audit append) as a function of the ledger tree's depth, `fraud/prove/depth<N>`
 * (items = N), plus `fraud/propose` (a 16-transfer batch at depth 32, items = 16).
 *
 * One `deploySuite` deployment; for each depth a further StateCommitmentChain proxy (the same implementation)
 * with its own genesis, wired like the suite's (StakeManager SLASHER_ROLE, AuditLog APPENDER_ROLE). The ledger
 * holds 64 funded accounts, so the top ~6 levels of every account proof are non-zero hashes and the rest are
 * zero words (a sparse tree: calldata of a zero word costs 4 gas per byte instead of 16).
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, id } from "ethers";

import { buildBatch } from "../fraud/batch.js";
import { fraudProof } from "../fraud/chain.js";
import { Ledger, leafIndex, signTransfer, type Transfer } from "../fraud/ledger.js";
import { ROLES, deploySuite } from "../suite/deploy.js";
import { createOperators, heartbeatAll } from "../suite/fleet.js";
import { DEFAULT_FRAUD_PARAMETERS, withParameters } from "../suite/parameters.js";
import type { BenchRow } from "./report.js";

export const FRAUD_DEPTHS = [8, 16, 32, 64, 128, 160] as const;
const ACCOUNTS = 64;
const BATCH = 16;
const TOKEN = 10n ** 18n;

function row(operation: string, items: number, gas: number, note: string): BenchRow {
  return { operation, backups: 0, items, gas, note };
}

export async function runFraudBench(ethers: HardhatEthers, log: (m: string) => void): Promise<BenchRow[]> {
  log("fraud bench: deploying the suite and 3 active validators…");
  const suite = await deploySuite(ethers, {
    parameters: withParameters({ set: { maxActive: 3, minActive: 2 } }),
  });
  const operators = await createOperators(
    ethers,
    suite,
    [3n, 2n, 1n].map((k) => k * 1_000n * TOKEN),
    "healnet-bench-fraud",
  );
  await heartbeatAll(suite, operators);
  await (await suite.set.fillVacancies(3)).wait();
  const proposer = operators[0]!.account;
  const admin = suite.admin;
  const implementation = await ethers.deployContract("StateCommitmentChain", [], admin);
  await implementation.waitForDeployment();

  // 64 accounts whose leaves differ at the shallowest depth (so at every depth).
  const wallets: Wallet[] = [];
  const used = new Set<bigint>();
  for (let i = 0; wallets.length < ACCOUNTS; i++) {
    const w = new Wallet(id(`healnet bench fraud ${i}`));
    const leaf = leafIndex(w.address, FRAUD_DEPTHS[0]);
    if (used.has(leaf)) continue;
    used.add(leaf);
    wallets.push(w);
  }
  const rows: BenchRow[] = [];
  // The first run is a warm-up, not recorded: its slash and reward write first-time (zero → non-zero) storage
  // in the StakeManager and the token that every later run finds already written.
  const runs = [FRAUD_DEPTHS[0], ...FRAUD_DEPTHS];
  for (const [run, depth] of runs.entries()) {
    log(`fraud bench: depth ${depth}${run === 0 ? " (warm-up)" : ""}…`);
    const balances = wallets.map((w) => ({ owner: w.address, balance: 1_000_000n }));
    const p = DEFAULT_FRAUD_PARAMETERS;
    const initData = implementation.interface.encodeFunctionData("initialize", [
      admin.address,
      await suite.token.getAddress(),
      suite.treasury,
      await suite.set.getAddress(),
      await suite.stake.getAddress(),
      await suite.audit.getAddress(),
      { genesisStateRoot: Ledger.genesisRoot(depth, balances), treeDepth: depth },
      {
        challengeBond: p.challengeBond,
        challengerRewardCap: p.challengerRewardCap,
        challengeWindow: p.challengeWindow,
        fraudSlashBps: p.fraudSlashBps,
        challengerRewardBps: p.challengerRewardBps,
        maxBatchSize: p.maxBatchSize,
      },
    ]);
    const proxy = await ethers.deployContract(
      "ERC1967Proxy",
      [await implementation.getAddress(), initData],
      admin,
    );
    await proxy.waitForDeployment();
    const scc = await ethers.getContractAt("StateCommitmentChain", await proxy.getAddress(), admin);
    await (await suite.stake.grantRole(ROLES.SLASHER_ROLE, await scc.getAddress())).wait();
    await (await suite.audit.grantRole(ROLES.APPENDER_ROLE, await scc.getAddress())).wait();
    // Transfers are signed for this deployment on this chain (the ledger's EIP-712 domain).
    const domain = {
      chainId: (await ethers.provider.getNetwork()).chainId,
      verifyingContract: await scc.getAddress(),
    };
    const genesis = Ledger.genesis(depth, domain, balances);

    // A batch of 16 transfers between distinct accounts; the claimed root of step 5 is a lie.
    const txs: Transfer[] = Array.from({ length: BATCH }, (_, i) =>
      signTransfer(wallets[i]!, domain, {
        from: wallets[i]!.address,
        to: wallets[i + BATCH]!.address,
        amount: 1_000n + BigInt(i),
        nonce: 0n,
      }),
    );
    const ledger = genesis.clone();
    const lieAt = 5;
    const batch = buildBatch(ledger, txs, (step, root) => (step === lieAt ? id("lie") : root));
    const proposed = await (
      await scc.connect(proposer).propose(batch.prevStateRoot, batch.txs, batch.postRoots)
    ).wait();
    if (run !== 0 && depth === 32) {
      rows.push(
        row(
          "fraud/propose",
          BATCH,
          Number(proposed!.gasUsed),
          `propose of a ${BATCH}-transfer batch at depth 32`,
        ),
      );
    }
    const proof = fraudProof(1n, batch.prevStateRoot, batch.txs, batch.postRoots, lieAt, batch.steps[lieAt]!);
    const receipt = await (await scc.challenge(proof)).wait();
    if ((await scc.rollbackCount()) !== 1n) throw new Error(`fraud bench: depth ${depth} did not roll back`);
    if (run === 0) continue;
    rows.push(
      row(
        `fraud/prove/depth${depth}`,
        depth,
        Number(receipt!.gasUsed),
        `challenge proving step ${lieAt} of ${BATCH} (step proof of 4 siblings, 2 account proofs of ${depth}), rollback, slash, audit`,
      ),
    );
  }
  return rows;
}
