/**
 * The proposer and the watcher against the in-process network and the real suite (deploySuite): an honest
 * batch is verified and becomes final; a byzantine proposer's lie is proven inside the window by the watcher,
 * the chain rolls back to the last valid root, the liar is slashed, jailed (out of the active set) and the
 * watcher rewarded, and the honest proposer carries on from the restored head.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet, id } from "ethers";
import { network } from "hardhat";

import { makeLogger } from "../../src/agents/common/log.js";
import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import { CommitmentState, LedgerStore } from "../../src/fraud/chain.js";
import { Ledger, signTransfer, type LedgerDomain, type Transfer } from "../../src/fraud/ledger.js";
import { Proposer, TransferQueue } from "../../src/fraud/proposer.js";
import { Watcher } from "../../src/fraud/watcher.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { IStateCommitmentChain__factory } from "../../types/ethers-contracts/index.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";

const TOKEN = 10n ** 18n;
const GWEI = 10n ** 9n;
const DEPTH = 32;
const silent = makeLogger({ level: "error", sink: () => {} });

describe("fraud agents", function () {
  this.timeout(120_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let rpc: FakeRpc;
  let dir: string;
  let suite: Suite;
  let operators: Operator[];
  let genesis: Ledger;
  let domain: LedgerDomain;
  const clients: ChainClient[] = [];
  const alice = new Wallet(id("fraud agents alice"));
  const bob = new Wallet(id("fraud agents bob"));
  const carol = new Wallet(id("fraud agents carol"));
  const nonces = new Map<string, bigint>();

  function transfer(from: Wallet, to: Wallet, amount: bigint): Transfer {
    const nonce = nonces.get(from.address) ?? 0n;
    nonces.set(from.address, nonce + 1n);
    return signTransfer(from, domain, { from: from.address, to: to.address, amount, nonce });
  }

  async function client(privateKey: string): Promise<ChainClient> {
    const c = await makeChainClient({
      urls: [rpc.url],
      chainId: 31337n,
      privateKey,
      intentLogPath: join(dir, `client-${clients.length}.sqlite`),
      maxFeePerGasCap: 100n * GWEI,
      rpc: { timeoutMs: 5_000, cooldownMs: 50, maxRounds: 1, pollingIntervalMs: 50 },
      sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs: 20_000 },
    });
    clients.push(c);
    return c;
  }

  async function proposer(
    op: Operator,
    store: LedgerStore,
    queue: TransferQueue,
    corrupt?: (b: number, s: number, r: string) => string,
  ) {
    const c = await client(op.account.privateKey);
    return new Proposer({
      scc: IStateCommitmentChain__factory.connect(suite.addresses.StateCommitmentChain, c.signer),
      send: (request) => c.send(request),
      store,
      transfers: queue,
      log: silent,
      ...(corrupt === undefined ? {} : { corrupt }),
    });
  }

  async function watcher(store: LedgerStore) {
    const c = await client(devWallet(9).privateKey);
    return {
      address: c.address,
      agent: new Watcher({
        scc: IStateCommitmentChain__factory.connect(suite.addresses.StateCommitmentChain, c.signer),
        provider: c.provider,
        send: (request) => c.send(request),
        store,
        log: silent,
      }),
    };
  }

  before(async function () {
    connection = await network.create();
    rpc = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-fraud-"));
    const balances = [
      { owner: alice.address, balance: 1_000n },
      { owner: bob.address, balance: 1_000n },
    ];
    suite = await deploySuite(connection.ethers, {
      parameters: withParameters({
        // minActive 1: each liar is jailed out of the active set, and the set must stay above the floor to let it go.
        set: { maxActive: 3, minActive: 1 },
        fraud: { genesisStateRoot: Ledger.genesisRoot(DEPTH, balances), treeDepth: DEPTH },
      }),
    });
    domain = {
      chainId: (await connection.ethers.provider.getNetwork()).chainId,
      verifyingContract: suite.addresses.StateCommitmentChain,
    };
    genesis = Ledger.genesis(DEPTH, domain, balances);
    operators = await createOperators(
      connection.ethers,
      suite,
      [3n, 2n, 1n].map((k) => k * 1_000n * TOKEN),
      "fraud-agents",
    );
    await heartbeatAll(suite, operators);
    await (await suite.set.fillVacancies(3)).wait();
  });

  after(async function () {
    for (const c of clients) c.close();
    await rpc.close();
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("verifies an honest batch, which becomes final after the window", async function () {
    const store = new LedgerStore(genesis);
    const queue = new TransferQueue();
    const honest = await proposer(operators[0]!, store, queue);
    const { agent } = await watcher(new LedgerStore(genesis));
    const txs = [transfer(alice, bob, 100n), transfer(bob, carol, 50n), transfer(alice, carol, 1n)];
    queue.push(...txs);

    const proposed = await honest.tick();
    expect(proposed.proposed?.txCount).to.equal(3);
    expect(proposed.proposed?.lied).to.equal(false);
    const report = await agent.tick();
    expect(report.verified).to.deep.equal([proposed.proposed!.commitmentId]);
    expect(report.frauds).to.deep.equal([]);

    const expected = genesis.clone();
    for (const t of txs) expected.apply(t);
    expect(proposed.proposed!.newStateRoot).to.equal(expected.root);
    expect(expected.account(carol.address).balance).to.equal(51n);
    expect(await suite.stateCommitments.headStateRoot()).to.equal(proposed.proposed!.newStateRoot);
    await connection.networkHelpers.time.increase(suite.parameters.fraud!.challengeWindow);
    expect(await suite.stateCommitments.stateOf(proposed.proposed!.commitmentId)).to.equal(
      CommitmentState.Final,
    );
    expect(await suite.stateCommitments.lastFinalStateRoot()).to.equal(proposed.proposed!.newStateRoot);
  });

  it("catches a byzantine proposer inside the window: rollback, slash, reward, and the honest chain resumes", async function () {
    const { stateCommitments: scc, stake, audit } = suite;
    // The watcher's store is what honest nodes trust; it starts from the verified head of the first test.
    const trusted = new LedgerStore(genesis);
    const w = await watcher(trusted);
    const first = await w.agent.tick();
    expect(first.verified.length).to.equal(1);
    const validHead = await scc.headStateRoot();
    expect(trusted.has(validHead)).to.equal(true);

    const liarQueue = new TransferQueue();
    const liarStore = new LedgerStore(trusted.get(validHead)!);
    const liar = await proposer(operators[1]!, liarStore, liarQueue, (_batch, step, root) =>
      step === 1 ? id("a lie") : root,
    );
    const honestQueue = new TransferQueue();
    const honest = await proposer(operators[0]!, trusted, honestQueue);

    liarQueue.push(transfer(alice, bob, 10n), transfer(bob, alice, 5n), transfer(carol, alice, 1n));
    const lie = await liar.tick();
    expect(lie.proposed?.lied).to.equal(true);
    // An honest proposer does not build on a root its watcher has not verified.
    honestQueue.push(transfer(alice, carol, 2n));
    expect((await honest.tick()).idle).to.equal("unknown-head");

    const stakeBefore = await stake.bondedOf(operators[1]!.account.address);
    const auditBefore = await audit.auditLength();
    const caught = await w.agent.tick();
    expect(caught.frauds.length).to.equal(1);
    const detection = caught.frauds[0]!;
    expect(detection.commitmentId).to.equal(lie.proposed!.commitmentId);
    expect(detection.step).to.equal(1);
    expect(detection.result).to.equal("confirmed");
    expect(detection.challengeBlock! - detection.postedBlock).to.be.lessThan(10);
    // Time to detect and roll back, as the simulation reports it: inside the window.
    expect(detection.challengeAt! - detection.postedAt).to.be.within(
      0,
      suite.parameters.fraud!.challengeWindow - 1,
    );

    expect(await scc.headStateRoot()).to.equal(validHead);
    expect(await scc.stateOf(lie.proposed!.commitmentId)).to.equal(CommitmentState.Discarded);
    expect(await scc.rollbackCount()).to.equal(1n);
    const slashBps = BigInt(suite.parameters.fraud!.fraudSlashBps);
    expect(await stake.bondedOf(operators[1]!.account.address)).to.equal(
      stakeBefore - (stakeBefore * slashBps) / 10_000n,
    );
    expect(await stake.rewardOf(w.address)).to.be.greaterThan(0n);
    expect(await audit.auditLength()).to.equal(auditBefore + 1n);

    // The next tick reports the rollback (the resync signal) from the challenge's block.
    const next = await w.agent.tick();
    expect(next.rollbacks.map((r) => [r.fromCommitmentId, r.headStateRoot, r.blockNumber])).to.deep.equal([
      [lie.proposed!.commitmentId, validHead, detection.challengeBlock],
    ]);

    // The honest proposer proposes on the restored head; the watcher verifies it.
    const resumed = await honest.tick();
    expect(resumed.proposed?.prevStateRoot).to.equal(validHead);
    expect((await w.agent.tick()).verified).to.deep.equal([resumed.proposed!.commitmentId]);
    // The liar finds its batch discarded and requeues its transfers.
    const liarNext = await liar.tick();
    expect(liarNext.discarded).to.deep.equal([lie.proposed!.commitmentId]);
  });

  it("rolls back a lie by an active validator at minStake and slashes, jails and removes the liar", async function () {
    const { stateCommitments: scc, stake, set } = suite;
    const trusted = new LedgerStore(genesis);
    const w = await watcher(trusted);
    await w.agent.tick();
    const validHead = await scc.headStateRoot();
    expect(trusted.has(validHead)).to.equal(true);
    const atMin = operators[2]!;
    expect(await stake.bondedOf(atMin.account.address)).to.equal(suite.parameters.stake.minStake);
    const queue = new TransferQueue();
    const liar = await proposer(atMin, new LedgerStore(trusted.get(validHead)!), queue, (_b, step, root) =>
      step === 0 ? id("another lie") : root,
    );
    queue.push(transfer(alice, bob, 3n));
    const lie = await liar.tick();
    const caught = await w.agent.tick();
    expect(caught.frauds.map((f) => [f.commitmentId, f.result])).to.deep.equal([
      [lie.proposed!.commitmentId, "confirmed"],
    ]);
    expect(await scc.headStateRoot()).to.equal(validHead);
    const receipt = await connection.ethers.provider.getTransactionReceipt(
      caught.frauds[0]!.challengeTxHash!,
    );
    const names = receipt!.logs.map((l) => scc.interface.parseLog(l)?.name).filter((n) => n !== undefined);
    expect(names).to.include("FraudProven");
    expect(names).to.not.include("ProposerSlashFailed");
    expect(names).to.not.include("ProposerJailFailed");
    // Slashed below minStake and jailed: the set removed it (Jailed) in the same transaction, never refused it.
    const minStake = suite.parameters.stake.minStake;
    const slashBps = BigInt(suite.parameters.fraud!.fraudSlashBps);
    expect(await stake.bondedOf(atMin.account.address)).to.equal(minStake - (minStake * slashBps) / 10_000n);
    expect(await stake.isJailed(atMin.account.address)).to.equal(true);
    expect(await set.isActive(atMin.account.address)).to.equal(false);
    expect(await set.statusOf(atMin.account.address)).to.equal(4n); // Status.Jailed
    expect(await set.activeCount()).to.equal(1n); // above minActive (1): removed without a backup to promote
  });

  it("a transfer replayed from another chain id: a no-op for the honest, proven fraud when a proposer applies it", async function () {
    const { stateCommitments: scc } = suite;
    const trusted = new LedgerStore(genesis);
    const w = await watcher(trusted);
    await w.agent.tick();
    const validHead = await scc.headStateRoot();
    const base = trusted.get(validHead)!;
    const foreign: LedgerDomain = {
      chainId: domain.chainId + 1n,
      verifyingContract: domain.verifyingContract,
    };
    const nonce = base.account(alice.address).nonce;
    const replayed = signTransfer(alice, foreign, {
      from: alice.address,
      to: carol.address,
      amount: 7n,
      nonce,
    });

    // An honest proposer keeps it as a no-op (its post-root is its pre-root); the watcher agrees.
    const queue = new TransferQueue();
    queue.push(replayed);
    const kept = await (await proposer(operators[0]!, trusted, queue)).tick();
    expect(kept.proposed?.newStateRoot).to.equal(validHead);
    expect((await w.agent.tick()).verified).to.deep.equal([kept.proposed!.commitmentId]);

    // A proposer that checks signatures under the foreign domain applies it: the watcher proves the step.
    const liarQueue = new TransferQueue();
    liarQueue.push(replayed);
    const liar = await proposer(operators[0]!, new LedgerStore(base.withDomain(foreign)), liarQueue);
    const applied = await liar.tick();
    expect(applied.proposed?.newStateRoot).to.not.equal(validHead);
    const rollbacksBefore = await scc.rollbackCount();
    const caught = await w.agent.tick();
    expect(caught.frauds.map((f) => [f.commitmentId, f.step, f.result])).to.deep.equal([
      [applied.proposed!.commitmentId, 0, "confirmed"],
    ]);
    expect(await scc.headStateRoot()).to.equal(validHead);
    expect(await scc.rollbackCount()).to.equal(rollbacksBefore + 1n);
    expect(await scc.stateOf(applied.proposed!.commitmentId)).to.equal(CommitmentState.Discarded);
  });
});
