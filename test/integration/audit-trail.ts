import { expect } from "chai";
import { ZeroHash, id } from "ethers";
import { network } from "hardhat";

import { computeEntryHash, foldHead, readAuditEntries, verifyAuditTrail } from "../../src/suite/audit.js";
import { ROLES, deploySuite } from "../../src/suite/deploy.js";

const { ethers, networkHelpers } = await network.getOrCreate();

const ENTRIES = 7;

describe("verifyAuditTrail", function () {
  /** A suite whose AuditLog holds 7 entries appended directly (one per block) by a test appender. */
  async function sevenEntriesFixture() {
    const suite = await deploySuite(ethers);
    const [, , , , , , , appender] = await ethers.getSigners();
    const audit = suite.audit;
    await (await audit.grantRole(ROLES.APPENDER_ROLE, appender!.address)).wait();
    const deployedAt = await ethers.provider.getBlockNumber();
    const blocks: number[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      await networkHelpers.mine(2); // spread the entries so ranges split between them
      const receipt = await (
        await audit
          .connect(appender!)
          .append(id(`TEST_${i}`), appender!.address, ethers.ZeroAddress, BigInt(i), id(`data ${i}`))
      ).wait();
      blocks.push(receipt!.blockNumber);
    }
    return { suite, audit, deployedAt, blocks };
  }

  it("recomputes the on-chain head from the events, in ranges of 3 blocks", async function () {
    const { audit, deployedAt } = await networkHelpers.loadFixture(sevenEntriesFixture);
    const result = await verifyAuditTrail(audit, { fromBlock: deployedAt, maxBlockRange: 3 });
    expect(result.ok, result.reason).to.equal(true);
    expect(result.length).to.equal(BigInt(ENTRIES));
    expect(result.recomputedLength).to.equal(BigInt(ENTRIES));
    expect(result.head).to.equal(await audit.auditHead());
    expect(result.recomputedHead).to.equal(result.head);
    expect(result.firstMismatchIndex).to.equal(undefined);
  });

  it("reads every entry in order whatever the range size, and each hashes as the contract does", async function () {
    const { audit, deployedAt } = await networkHelpers.loadFixture(sevenEntriesFixture);
    for (const maxBlockRange of [1, 2, 5, 1_000]) {
      const entries = await readAuditEntries(audit, { fromBlock: deployedAt, maxBlockRange });
      expect(entries.map((e) => e.index)).to.deep.equal([...Array(ENTRIES).keys()].map(BigInt));
    }
    const entries = await readAuditEntries(audit);
    let head = ZeroHash;
    for (const e of entries) {
      const onChain = await audit.entryHashOf(
        e.index,
        e.kind,
        e.actor,
        e.subject,
        e.refId,
        e.dataHash,
        e.timestamp,
        e.source,
      );
      expect(computeEntryHash(e)).to.equal(onChain);
      head = foldHead(head, onChain);
      expect(e.head).to.equal(head);
    }
  });

  it("says mismatch when the range starts after the first entry (a truncated start)", async function () {
    const { audit, blocks } = await networkHelpers.loadFixture(sevenEntriesFixture);
    const result = await verifyAuditTrail(audit, { fromBlock: blocks[2]!, maxBlockRange: 4 });
    expect(result.ok).to.equal(false);
    expect(result.firstMismatchIndex).to.equal(0n);
    expect(result.reason).to.match(/expected entry 0, found entry 2/);
  });

  it("says mismatch when the starting head is wrong, at the first entry read", async function () {
    const { audit, blocks } = await networkHelpers.loadFixture(sevenEntriesFixture);
    const result = await verifyAuditTrail(audit, {
      fromBlock: blocks[3]!,
      startIndex: 3n,
      startHead: id("not the head"),
    });
    expect(result.ok).to.equal(false);
    expect(result.firstMismatchIndex).to.equal(3n);
    expect(result.reason).to.match(/entry 3: the fold gives head/);
  });

  it("says mismatch when the range ends before the log's last entry but the chain is compared at a later block", async function () {
    const { audit, deployedAt, blocks } = await networkHelpers.loadFixture(sevenEntriesFixture);
    // Read the events up to entry 4 only, but compare with the log as it is now (7 entries).
    const entries = await readAuditEntries(audit, { fromBlock: deployedAt, toBlock: blocks[4]! });
    expect(entries).to.have.length(5);
    const now = await ethers.provider.getBlockNumber();
    const truncated = await verifyAuditTrail(
      // A contract view whose logs stop at entry 4: the same AuditLog, its queryFilter capped.
      new Proxy(audit, {
        get(target, prop, receiver) {
          if (prop === "queryFilter") {
            return (filter: Parameters<typeof audit.queryFilter>[0], from: number, to: number) =>
              target.queryFilter(filter, from, Math.min(to, blocks[4]!));
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }),
      { fromBlock: deployedAt, toBlock: now },
    );
    expect(truncated.ok).to.equal(false);
    expect(truncated.firstMismatchIndex).to.equal(5n);
    expect(truncated.recomputedLength).to.equal(5n);
    expect(truncated.length).to.equal(BigInt(ENTRIES));
  });

  it("verifies a prefix at an earlier block, and resumes from that checkpoint", async function () {
    const { audit, deployedAt, blocks } = await networkHelpers.loadFixture(sevenEntriesFixture);
    const prefix = await verifyAuditTrail(audit, {
      fromBlock: deployedAt,
      toBlock: blocks[3]!,
      maxBlockRange: 2,
    });
    expect(prefix.ok, prefix.reason).to.equal(true);
    expect(prefix.length).to.equal(4n);
    const rest = await verifyAuditTrail(audit, {
      fromBlock: prefix.toBlock + 1,
      startIndex: prefix.length,
      startHead: prefix.head,
      maxBlockRange: 2,
    });
    expect(rest.ok, rest.reason).to.equal(true);
    expect(rest.length).to.equal(BigInt(ENTRIES));
    expect(rest.head).to.equal(await audit.auditHead());
  });
});
