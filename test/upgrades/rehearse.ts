/**
 * `heal upgrade rehearse` (docs/upgrades.md "Rehearse before the real thing") against a local anvil running a
 * deployment (the "live network"): the task forks it on a second anvil, upgrades there, runs the healing drill
 * and decides. A good upgrade is GO and its drill detects and replaces the crashed validator without a false
 * positive; a version-skipping migration, a layout-breaking implementation and an implementation whose
 * heartbeat does not record (the drill fails) are NO-GO; bad arguments are one line. The live anvil's state is
 * never touched.
 */
import { expect } from "chai";
import hre from "hardhat";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { type Anvil, launchAnvil } from "../../src/chain/anvil.js";
import { deploySuite, implementationOf } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";

type Result = { success: true; value: any } | { success: false; error: string };

const TOKEN = 10n ** 18n;

async function rehearse(args: Record<string, unknown>): Promise<Result> {
  return (await hre.tasks.getTask(["heal", "upgrade", "rehearse"]).run({
    implementation: "",
    migration: "",
    forkUrl: "",
    rounds: "2",
    auditFromBlock: "0",
    skipLayout: false,
    addresses: "",
    proposer: "",
    executor: "",
    maxDelay: "",
    ...args,
  })) as Result;
}

function expectOneLine(result: Result, pattern: RegExp): void {
  expect(result.success, JSON.stringify(result)).to.equal(false);
  const line = (result as { error: string }).error;
  expect(line).to.match(pattern);
  expect(line).to.not.include("\n");
}

describe("heal upgrade rehearse (anvil fork)", function () {
  this.timeout(300_000);
  let live: Anvil;
  let root: string;
  let addresses: string;
  let stakeProxy: string;
  let stakeImplementation: string;
  let governedAddresses: string;
  let timelock: string;
  let governor: string;
  /** A rehearsal of NodeHealth → NodeHealthV2 on the governed deployment (its owner: the timelock). */
  const governed = (args: Record<string, unknown> = {}) =>
    rehearse({
      forkUrl: live.url,
      addresses: governedAddresses,
      contract: "NodeHealth",
      implementation: "NodeHealthV2",
      migration: "migrateToV2",
      skipLayout: true,
      ...args,
    });

  before(async function () {
    // Under `--coverage` the deployed artifacts are instrumented, too large for EIP-170.
    live = await launchAnvil({ codeSizeLimit: !hre.globalOptions.coverage, timeoutMs: 60_000 });
    root = await mkdtemp(path.join(tmpdir(), "healnet-rehearse-"));
    const { ethers } = await hre.network.create({ network: "localhost", override: { url: live.url } });
    const suite = await deploySuite(ethers, {
      parameters: withParameters({ set: { maxActive: 4, minActive: 2 } }),
    });
    const operators = await createOperators(
      ethers,
      suite,
      Array.from({ length: 6 }, (_, i) => (20_000n - 1_000n * BigInt(i)) * TOKEN),
    );
    await heartbeatAll(suite, operators);
    await (await suite.set.fillVacancies(4)).wait();
    // One active validator stops: replaced, with its downtime slash pending (what an upgrade must keep).
    const victim = operators[1]!;
    const alive = operators.filter((op) => op !== victim);
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    for (let t = 0; t <= heartbeatInterval + gracePeriod; t += heartbeatInterval) {
      await ethers.provider.send("evm_increaseTime", [heartbeatInterval]);
      await ethers.provider.send("evm_mine", []);
      await heartbeatAll(suite, alive);
    }
    await (await suite.set.checkHeartbeat(victim.account.address)).wait();
    const a = suite.addresses;
    addresses = path.join(root, "addresses.json");
    await writeFile(
      addresses,
      JSON.stringify({
        token: a.HealToken,
        stake: a.StakeManager,
        health: a.NodeHealth,
        set: a.SelfHealingValidatorSet,
        audit: a.AuditLog,
        snapshots: a.SnapshotRegistry,
        recovery: a.RecoveryManager,
        council: a.GuardianCouncil,
        stateCommitments: a.StateCommitmentChain,
      }),
    );
    stakeProxy = a.StakeManager;
    stakeImplementation = await implementationOf(ethers, stakeProxy);

    // A second deployment on the same chain, governed: its ProxyAdmins belong to the DAO timelock.
    const governed = await deploySuite(ethers, { governance: true });
    const g = governed.addresses;
    governedAddresses = path.join(root, "governed.json");
    timelock = g.TimelockController!;
    governor = g.HealGovernor!;
    await writeFile(
      governedAddresses,
      JSON.stringify({
        token: g.HealToken,
        stake: g.StakeManager,
        health: g.NodeHealth,
        set: g.SelfHealingValidatorSet,
        audit: g.AuditLog,
        snapshots: g.SnapshotRegistry,
        recovery: g.RecoveryManager,
        council: g.GuardianCouncil,
        stateCommitments: g.StateCommitmentChain,
        timelock: g.TimelockController,
        governor: g.HealGovernor,
      }),
    );
  });

  after(async function () {
    await live?.stop();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it("a good upgrade (StakeManager → StakeManagerV2 with migrateToV2) is GO, and the live chain is untouched", async function () {
    const r = await rehearse({
      forkUrl: live.url,
      addresses,
      contract: "StakeManager",
      implementation: "StakeManagerV2",
      migration: "migrateToV2",
    });
    expect(r.success, JSON.stringify(r)).to.equal(true);
    const value = (
      r as {
        value: {
          go: boolean;
          reasons: string[];
          checks: { stage: string; check: { name: string; ok: boolean } }[];
          drill: {
            active: number;
            backups: number;
            crashed?: string;
            incidentId?: number;
            replacement?: string;
            falsePositives: string[];
          };
        };
      }
    ).value;
    expect(value.go).to.equal(true);
    expect(value.reasons).to.deep.equal([]);
    const names = value.checks.map((c) => `${c.stage}: ${c.check.name}`);
    for (const expected of [
      "layout: storage layout compatible",
      "after upgrade: stake conservation",
      "after upgrade: audit trail verifies",
      "after upgrade: incidents and pending slashes preserved",
      "after upgrade: active set within bounds",
      "after upgrade: versions increase without skipped migrations",
      "after the drill (2 healthy interval(s)): drill: heartbeats recorded",
      "after the drill (2 healthy interval(s)): drill: crash detected",
      "after the drill (2 healthy interval(s)): drill: crashed validator replaced",
      "after the drill (2 healthy interval(s)): drill: no false positive",
      "after the drill (2 healthy interval(s)): incidents and pending slashes preserved",
      "after the drill (2 healthy interval(s)): audit trail verifies",
      "after the drill (2 healthy interval(s)): active set within bounds",
    ]) {
      expect(names).to.include(expected);
    }
    // The drill: 4 active (one crashes), 1 ready backup promoted in its place, nobody else touched.
    const drill = value.drill;
    expect(drill.active).to.equal(4);
    expect(drill.backups).to.equal(1);
    expect(drill.crashed).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(drill.incidentId).to.be.greaterThan(0);
    expect(drill.replacement).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(drill.replacement).to.not.equal(drill.crashed);
    expect(drill.falsePositives).to.deep.equal([]);
    const { ethers } = await hre.network.create({ network: "localhost", override: { url: live.url } });
    expect(await implementationOf(ethers, stakeProxy)).to.equal(stakeImplementation);
  });

  it("under governance the upgrade runs as the timelock (the ProxyAdmins' owner): GO", async function () {
    const r = await governed({ rounds: "1" });
    expect(r.success, JSON.stringify(r)).to.equal(true);
    const value = (
      r as {
        value: {
          go: boolean;
          owner: string;
          checks: { stage: string; check: { name: string; ok: boolean; detail: string } }[];
          timelock: {
            timelock: string;
            minDelay: number;
            proposer: string;
            executor: string;
            scheduled: boolean;
            executed: boolean;
          };
        };
      }
    ).value;
    expect(value.go).to.equal(true);
    expect(value.owner).to.equal(timelock);
    // Replayed through the timelock: scheduled by the governor (impersonated), refused before the delay,
    // executed after it by anyone (the executor role is open), then the same checks as the direct path.
    const lines = value.checks.map((c) => `${c.check.ok ? "ok" : "FAIL"} ${c.stage}: ${c.check.name}`);
    const at = (line: string) => {
      const i = lines.indexOf(line);
      expect(i, `${line} in ${JSON.stringify(lines)}`).to.be.greaterThanOrEqual(0);
      return i;
    };
    const scheduled = at("ok timelock: scheduled by a proposer");
    const early = at("ok timelock: execute before the delay refused");
    const executed = at("ok timelock: executed after the delay");
    const invariants = at("ok after upgrade: versions increase without skipped migrations");
    expect(scheduled < early && early < executed && executed < invariants).to.equal(true);
    const detail = (name: string) => value.checks.find((c) => c.check.name === name)!.check.detail;
    expect(detail("scheduled by a proposer"))
      .to.include(governor)
      .and.to.include("the vote itself is not replayed");
    expect(detail("execute before the delay refused")).to.match(/^TimelockUnexpectedOperationState\(/);
    expect(value.timelock).to.include({
      timelock,
      minDelay: 2 * 86_400,
      proposer: governor,
      scheduled: true,
      executed: true,
    });
  });

  it("under governance, a timelock whose proposer role was revoked from the governor is NO-GO", async function () {
    const { ethers } = await hre.network.create({ network: "localhost", override: { url: live.url } });
    const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
    try {
      // On the live chain (undone after the case): the timelock itself revokes the governor's PROPOSER_ROLE.
      await ethers.provider.send("anvil_impersonateAccount", [timelock]);
      await ethers.provider.send("anvil_setBalance", [timelock, "0xde0b6b3a7640000"]);
      const tl = await ethers.getContractAt("TimelockController", timelock, await ethers.getSigner(timelock));
      await (await tl.revokeRole(await tl.PROPOSER_ROLE(), governor)).wait();
      await ethers.provider.send("anvil_stopImpersonatingAccount", [timelock]);
      const r = await governed({ rounds: "1" });
      expectOneLine(
        r,
        /^heal upgrade rehearse: NO-GO: 1 problem\(s\): timelock: scheduled by a proposer: nobody holds PROPOSER_ROLE of 0x[0-9a-fA-F]{40} \(RoleGranted events of blocks .*\): governance could not queue the upgrade/,
      );
      // Naming the governor as --proposer does not help: it is checked, not trusted.
      expectOneLine(
        await governed({ proposer: governor }),
        /^heal upgrade rehearse: NO-GO: 1 problem\(s\): timelock: scheduled by a proposer: --proposer 0x[0-9a-fA-F]{40} does not hold PROPOSER_ROLE/,
      );
    } finally {
      await ethers.provider.send("evm_revert", [snapshot]);
    }
  });

  it("under governance, a timelock delay above --max-delay is NO-GO; an executing upgrade that reverts is NO-GO with its reason", async function () {
    expectOneLine(
      await governed({ maxDelay: "86400" }),
      /^heal upgrade rehearse: NO-GO: 1 problem\(s\): timelock: delay within --max-delay: getMinDelay\(\) is 172800 s, at most 86400 s expected/,
    );
    // Scheduled fine; the timelock's call of upgradeAndCall reverts with the migration's reason.
    expectOneLine(
      await governed({
        contract: "StakeManager",
        implementation: "StakeManagerV3",
        migration: "migrateToV3",
      }),
      /^heal upgrade rehearse: NO-GO: 1 problem\(s\): timelock: executed after the delay: execute as 0x[0-9a-fA-F]{40}: reverted: UpgradeMigrationSkipped\(1, 3\)/,
    );
  });

  it("a version-skipping migration (StakeManagerV3's migrateToV3 on version 1) is NO-GO", async function () {
    const r = await rehearse({
      forkUrl: live.url,
      addresses,
      contract: "StakeManager",
      implementation: "StakeManagerV3",
      migration: "migrateToV3",
      skipLayout: true,
    });
    expectOneLine(r, /^heal upgrade rehearse: NO-GO: .*UpgradeMigrationSkipped\(1, 3\)/);
  });

  it("a layout-breaking implementation (NodeHealthV2BadLayout) is NO-GO", async function () {
    const r = await rehearse({
      forkUrl: live.url,
      addresses,
      contract: "NodeHealth",
      implementation: "NodeHealthV2BadLayout",
      migration: "migrateToV2",
      rounds: "1",
    });
    expectOneLine(r, /^heal upgrade rehearse: NO-GO: .*layout: storage layout compatible: layout: /);
  });

  it("an implementation whose heartbeat does not record (NodeHealthV2NoHeartbeat) is NO-GO by the drill", async function () {
    const r = await rehearse({
      forkUrl: live.url,
      addresses,
      contract: "NodeHealth",
      implementation: "NodeHealthV2NoHeartbeat",
      migration: "migrateToV2",
      rounds: "1",
      // Its layout is NodeHealth's; the upgrade-safety validation flags the test doubles' missing initializer
      // (NodeHealthV2's too), which is not what this case is about.
      skipLayout: true,
    });
    // The migration and the versions are fine: the only reason is the failed drill.
    expectOneLine(
      r,
      /^heal upgrade rehearse: NO-GO: 1 problem\(s\): after the drill \(1 healthy interval\(s\)\): drill: heartbeats recorded: .*not recorded/,
    );
  });

  it("bad arguments are one line each", async function () {
    expectOneLine(
      await rehearse({ forkUrl: live.url, contract: "Everything" }),
      /--contract "Everything" is not one of StakeManager/,
    );
    expectOneLine(
      await rehearse({ forkUrl: live.url, contract: "StakeManager", implementation: "NoSuchContract" }),
      /--implementation "NoSuchContract" is not a compiled contract/,
    );
    expectOneLine(
      await rehearse({
        forkUrl: live.url,
        contract: "StakeManager",
        implementation: "StakeManagerV2",
        migration: "nope",
      }),
      /--migration "nope" is not a no-argument function of StakeManagerV2/,
    );
    expectOneLine(
      await rehearse({ contract: "StakeManager" }),
      /is not an HTTP network, there is nothing to fork/,
    );
    expectOneLine(
      await rehearse({ forkUrl: "ftp://x", contract: "StakeManager" }),
      /--fork-url must be an http\(s\) URL/,
    );
    expectOneLine(
      await rehearse({ forkUrl: live.url, contract: "StakeManager", rounds: "many" }),
      /--rounds must be a non-negative integer/,
    );
    expectOneLine(
      await rehearse({ forkUrl: live.url, contract: "StakeManager", proposer: "governor" }),
      /--proposer "governor" is not an address/,
    );
    expectOneLine(
      await rehearse({ forkUrl: live.url, contract: "StakeManager", maxDelay: "2d" }),
      /--max-delay must be a non-negative integer/,
    );
  });
});
