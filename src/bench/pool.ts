/**
 * A deployed core suite with a full active set and a backup pool that can be grown to 10,000 candidates,
 * and the gas measurements of `npm run bench`. Every measurement runs inside an EVM snapshot that is
 * reverted afterwards, so measurements do not disturb each other.
 *
 * The bulk of the pool is created fast: its accounts are impersonated (no key, no signing in JavaScript),
 * funded with `hardhat_setBalance`, and their transactions are mined in chunks with automine off. Only the
 * active validators and the highest-staked backups have real signer keys (they heartbeat and sign).
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, getAddress, id, toBeHex, type JsonRpcApiProvider } from "ethers";

import { deployCore, type CoreSuite } from "../suite/deploy.js";
import { healthyReport, type HealthReportInput } from "../suite/fleet.js";
import { withParameters } from "../suite/parameters.js";
import { domainOf, signHeartbeat } from "../suite/signing.js";

const TOKEN = 10n ** 18n;
const ACTIVE = 21;
/** Backups with real signer keys: enough for a 100-item batch and for readiness at the top of the heap. */
const KEYED_BACKUPS = 110;
const CHUNK = 100;
const TX_GAS = 1_000_000n;

interface Member {
  account: string;
  signer: Wallet | string;
}

export class CorePool {
  private readonly actives: Member[] = [];
  private readonly backups: Member[] = [];
  private extra = 0;

  private constructor(
    private readonly ethers: HardhatEthers,
    private readonly suite: CoreSuite,
    private readonly rpc: JsonRpcApiProvider,
  ) {}

  static async create(ethers: HardhatEthers): Promise<CorePool> {
    const suite = await deployCore(ethers, {
      parameters: withParameters({ set: { maxActive: ACTIVE, minActive: 4 } }),
    });
    const pool = new CorePool(ethers, suite, ethers.provider as unknown as JsonRpcApiProvider);
    // Actives hold more stake than any backup; the keyed backups more than the bulk.
    for (let i = 0; i < ACTIVE; i++) pool.actives.push(pool.member("active", i, true));
    await pool.register(pool.actives, (i) => 1_000_000n - BigInt(i));
    await pool.heartbeat(pool.actives);
    await (await suite.set.fillVacancies(ACTIVE)).wait();
    const active = await suite.set.activeCount();
    if (active !== BigInt(ACTIVE))
      throw new Error(`bench setup: ${active} active validators, expected ${ACTIVE}`);
    return pool;
  }

  /** Registers backups until the pool holds `size` (the first KEYED_BACKUPS have keys and the most stake). */
  async growBackupsTo(size: number): Promise<void> {
    const start = this.backups.length;
    if (size <= start) return;
    const fresh: Member[] = [];
    for (let i = start; i < size; i++) fresh.push(this.member("backup", i, i < KEYED_BACKUPS));
    await this.register(fresh, (i) =>
      start + i < KEYED_BACKUPS ? 500_000n - BigInt(start + i) : 10_000n + BigInt((start + i) % 50_000),
    );
    this.backups.push(...fresh);
    const count = await this.suite.set.backupCount();
    if (count !== BigInt(size)) throw new Error(`bench setup: ${count} backups, expected ${size}`);
  }

  async measureRegisterCandidate(): Promise<number> {
    return await this.isolated(async () => {
      // The most stake of all: the heap insert sifts up to the root (the worst case).
      const member = this.member("extra", this.extra++, false);
      await this.fund([member], 2_000_000n);
      const data = this.suite.set.interface.encodeFunctionData("registerCandidate", [signerAddress(member)]);
      return await this.sendAs(member.account, await this.suite.set.getAddress(), data);
    });
  }

  /**
   * A heartbeat in the common case: another active validator already raised `bestHeight` to this height, so
   * only the signer's record is written. With `raising`, the heartbeat itself raises `bestHeight` (about one
   * heartbeat in ten on a live network, where heights move by more than maxHeightLag/4 per interval).
   */
  async measureHeartbeat(raising = false): Promise<number> {
    return await this.isolated(async () => {
      await this.rpc.send("evm_increaseTime", [5]);
      await this.rpc.send("evm_mine", []);
      const report = await healthyReport(this.ethers.provider);
      const [first, second] = this.actives as [Member, Member];
      if (!raising) await (await this.suite.health.connect(second.signer as Wallet).heartbeat(report)).wait();
      const receipt = await (
        await this.suite.health.connect(first.signer as Wallet).heartbeat(report)
      ).wait();
      return Number(receipt?.gasUsed ?? 0n);
    });
  }

  async measureHeartbeatBatch(items: number): Promise<number> {
    const keyed = this.keyedMembers();
    if (items > keyed.length)
      throw new Error(`a batch of ${items} needs ${items} keyed validators, the pool has ${keyed.length}`);
    return await this.isolated(async () => {
      await this.rpc.send("evm_increaseTime", [5]);
      await this.rpc.send("evm_mine", []);
      const domain = await domainOf(this.suite.health);
      const report = await healthyReport(this.ethers.provider);
      const now = BigInt((await this.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
      const signed = [];
      for (const member of keyed.slice(0, items)) {
        const [, signerEpoch] = await this.suite.health.signerOf(member.account);
        signed.push(
          await signHeartbeat(member.signer as Wallet, domain, {
            validator: member.account,
            signerEpoch,
            timestamp: now,
            report,
          }),
        );
      }
      const receipt = await (await this.suite.health.heartbeatBatch(signed)).wait();
      const accepted = receipt?.logs.length ?? 0;
      if (accepted === 0) throw new Error("heartbeatBatch emitted nothing");
      return Number(receipt?.gasUsed ?? 0n);
    });
  }

  /** Validators with signer keys (actives and the top backups): who can sign relayed heartbeats. */
  keyedMembers(): Member[] {
    return [...this.actives, ...this.backups.filter((m) => typeof m.signer !== "string")];
  }

  async measureCheckNoop(): Promise<number> {
    return await this.isolated(async () => {
      await this.heartbeat(this.actives); // growing the pool moved the clock: everyone is live again
      const victim = this.actives[1] as Member;
      const data = this.suite.set.interface.encodeFunctionData("checkHeartbeat", [victim.account]);
      return await this.sendAs(this.suite.admin.address, await this.suite.set.getAddress(), data, {
        expectRevert: true,
      });
    });
  }

  async measureCheckReplace(): Promise<number> {
    return await this.isolated(async () => {
      const { heartbeatInterval, gracePeriod } = this.suite.parameters.health;
      await this.rpc.send("evm_increaseTime", [heartbeatInterval + gracePeriod + 1]);
      const victim = this.actives[ACTIVE - 1] as Member;
      const ready = this.backups.slice(0, Math.min(3, this.backups.length));
      await this.heartbeat([...this.actives.filter((m) => m !== victim), ...ready]);
      const before = await this.suite.set.isActive(victim.account);
      const data = this.suite.set.interface.encodeFunctionData("checkHeartbeat", [victim.account]);
      const gas = await this.sendAs(this.suite.admin.address, await this.suite.set.getAddress(), data);
      if (!before || (await this.suite.set.isActive(victim.account)))
        throw new Error("checkHeartbeat did not replace the victim");
      return gas;
    });
  }

  async measureEvaluateAndRotate(): Promise<{ gas: number; checked: number }> {
    return await this.isolated(async () => {
      await this.heartbeat(this.actives);
      const data = this.suite.set.interface.encodeFunctionData("evaluateAndRotate", [ACTIVE]);
      const gas = await this.sendAs(this.suite.admin.address, await this.suite.set.getAddress(), data);
      return { gas, checked: ACTIVE };
    });
  }

  /**
   * A vote change: a token holder delegates to the lowest backup enough votes to take it to the top of the
   * heap, and `rerank` moves it there (the worst case: a sift from the bottom to the root). Returns the gas of
   * the delegation plus the rerank.
   */
  async measureVoteChange(): Promise<number> {
    return await this.isolated(async () => {
      const backup = this.backups[this.backups.length - 1] as Member;
      const holder = this.member("holder", this.extra++, false);
      await this.rpc.send("hardhat_setBalance", [holder.account, toBeHex(10n ** 20n)]);
      const tokenAddress = await this.suite.token.getAddress();
      const token = this.suite.token.interface;
      await this.sendAs(
        this.suite.admin.address,
        tokenAddress,
        token.encodeFunctionData("transfer", [holder.account, 2_000_000n * TOKEN]),
      );
      const delegate = await this.sendAs(
        holder.account,
        tokenAddress,
        token.encodeFunctionData("delegate", [backup.account]),
      );
      const setAddress = await this.suite.set.getAddress();
      const data = this.suite.set.interface.encodeFunctionData("rerank", [backup.account]);
      const rerank = await this.sendAs(this.suite.admin.address, setAddress, data);
      const [top] = await this.suite.set.backupValidators(0, 1);
      if (top !== backup.account) throw new Error("rerank did not move the delegated backup to the top");
      return delegate + rerank;
    });
  }

  // --- setup helpers -------------------------------------------------------------------------------

  private member(kind: string, i: number, keyed: boolean): Member {
    const account = getAddress(toBeHex(BigInt(id(`healnet-bench/${kind}/${i}/account`)) >> 96n, 20));
    const signer = keyed
      ? new Wallet(id(`healnet-bench/${kind}/${i}/signer`), this.ethers.provider)
      : getAddress(toBeHex(BigInt(id(`healnet-bench/${kind}/${i}/signer`)) >> 96n, 20));
    return { account, signer };
  }

  /** Funds, transfers stake to, bonds and registers the members, mining in chunks. */
  private async register(members: Member[], stakeOf: (i: number) => bigint): Promise<void> {
    for (let from = 0; from < members.length; from += CHUNK) {
      const chunk = members.slice(from, from + CHUNK);
      await this.fund(chunk, 0n, (i) => stakeOf(from + i));
      const setAddress = await this.suite.set.getAddress();
      await this.batch(
        chunk.map((m) => ({
          from: m.account,
          to: setAddress,
          data: this.suite.set.interface.encodeFunctionData("registerCandidate", [signerAddress(m)]),
        })),
      );
    }
  }

  /** ETH for gas, `stake` tokens (or stakeOf(i)) transferred, approved and bonded. */
  private async fund(members: Member[], stake: bigint, stakeOf?: (i: number) => bigint): Promise<void> {
    const tokenAddress = await this.suite.token.getAddress();
    const stakeAddress = await this.suite.stake.getAddress();
    const funded = members.map((m, i) => ({ m, amount: (stakeOf?.(i) ?? stake) * TOKEN }));
    for (const m of members) {
      await this.rpc.send("hardhat_setBalance", [m.account, toBeHex(10n ** 20n)]);
      await this.rpc.send("hardhat_impersonateAccount", [m.account]);
      if (typeof m.signer !== "string") {
        await this.rpc.send("hardhat_setBalance", [m.signer.address, toBeHex(10n ** 20n)]);
        await this.rpc.send("hardhat_impersonateAccount", [m.signer.address]);
      }
    }
    const token = this.suite.token.interface;
    const stakeIface = this.suite.stake.interface;
    const admin = this.suite.admin.address;
    await this.batch(
      funded.map(({ m, amount }) => ({
        from: admin,
        to: tokenAddress,
        data: token.encodeFunctionData("transfer", [m.account, amount]),
      })),
    );
    await this.batch(
      funded.map(({ m, amount }) => ({
        from: m.account,
        to: tokenAddress,
        data: token.encodeFunctionData("approve", [stakeAddress, amount]),
      })),
    );
    await this.batch(
      funded.map(({ m, amount }) => ({
        from: m.account,
        to: stakeAddress,
        data: stakeIface.encodeFunctionData("bond", [amount]),
      })),
    );
  }

  /** Sends the transactions with automine off, mines them and checks every receipt succeeded. */
  private async batch(txs: { from: string; to: string; data: string }[]): Promise<void> {
    await this.rpc.send("evm_setAutomine", [false]);
    const hashes: string[] = [];
    try {
      for (const tx of txs)
        hashes.push(await this.rpc.send("eth_sendTransaction", [{ ...tx, gas: toBeHex(TX_GAS) }]));
    } finally {
      await this.rpc.send("evm_setAutomine", [true]);
    }
    for (let guard = 0; guard < 1_000; guard++) {
      const pending = await this.rpc.send("eth_getBlockByNumber", ["pending", false]);
      if ((pending?.transactions?.length ?? 0) === 0) break;
      await this.rpc.send("evm_mine", []);
    }
    for (const hash of hashes) {
      const receipt = await this.rpc.getTransactionReceipt(hash);
      if (receipt?.status !== 1) throw new Error(`bench setup transaction ${hash} failed`);
    }
  }

  /** Each member's signer heartbeats (the members must be keyed). */
  private async heartbeat(members: Member[]): Promise<void> {
    const report: HealthReportInput = await healthyReport(this.ethers.provider);
    const healthAddress = await this.suite.health.getAddress();
    const data = this.suite.health.interface.encodeFunctionData("heartbeat", [report]);
    await this.batch(members.map((m) => ({ from: (m.signer as Wallet).address, to: healthAddress, data })));
  }

  /**
   * Sends one transaction as `from` (impersonated) and returns its gasUsed. EDR mines a reverting transaction
   * but answers the send with the revert error, so the receipt is then found in the newly mined block.
   */
  private async sendAs(
    from: string,
    to: string,
    data: string,
    opts: { expectRevert?: boolean } = {},
  ): Promise<number> {
    await this.rpc.send("hardhat_impersonateAccount", [from]);
    const before = await this.rpc.getBlockNumber();
    let hash: string | undefined;
    try {
      hash = await this.rpc.send("eth_sendTransaction", [{ from, to, data, gas: toBeHex(TX_GAS) }]);
    } catch (error) {
      if (!opts.expectRevert) throw error;
      const block = await this.rpc.getBlock(before + 1);
      for (const candidate of block?.transactions ?? []) {
        const tx = await this.rpc.getTransaction(candidate);
        if (tx?.from.toLowerCase() === from.toLowerCase() && tx.to?.toLowerCase() === to.toLowerCase())
          hash = candidate;
      }
      if (hash === undefined)
        throw new Error(`the reverting call was not mined, so its gas cannot be read: ${String(error)}`);
    }
    const receipt = await this.rpc.getTransactionReceipt(hash as string);
    if (receipt === null) throw new Error(`no receipt for ${hash}`);
    if ((receipt.status === 1) === Boolean(opts.expectRevert)) {
      throw new Error(`transaction ${hash} ${receipt.status === 1 ? "succeeded" : "reverted"} unexpectedly`);
    }
    return Number(receipt.gasUsed);
  }

  private async isolated<T>(fn: () => Promise<T>): Promise<T> {
    const snapshot: string = await this.rpc.send("evm_snapshot", []);
    try {
      return await fn();
    } finally {
      await this.rpc.send("evm_revert", [snapshot]);
    }
  }
}

function signerAddress(member: Member): string {
  return typeof member.signer === "string" ? member.signer : member.signer.address;
}
