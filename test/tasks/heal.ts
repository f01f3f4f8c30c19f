import { expect } from "chai";
import hre from "hardhat";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { parametersFile, readParameters, runIgnition } from "../../deploy/ignition.js";
import { loadSuite, type LoadedSuite } from "../../src/suite/addresses.js";
import { healthyReport } from "../../src/suite/fleet.js";

const connection = await hre.network.getOrCreate();
const { ethers, networkHelpers } = connection;

type Result = { success: true; value: any } | { success: false; error: string };

/** Runs `heal <id...>` in-process on the default network (the one this file deployed to). */
async function heal(id: string[], args: Record<string, unknown> = {}): Promise<Result> {
  return (await hre.tasks.getTask(["heal", ...id]).run(args)) as Result;
}

/** A result as text, for assertion messages. */
function show(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
}

function expectFailure(result: Result, pattern: RegExp): void {
  expect(result.success, show(result)).to.equal(false);
  const line = (result as { error: string }).error;
  expect(line).to.match(pattern);
  expect(line).to.not.include("\n");
  expect(line).to.not.match(/\bat .*\.ts:\d+/); // no stack trace
}

describe("heal tasks (in-process)", function () {
  let root: string;
  let addresses: string;
  let suite: LoadedSuite;
  const validators: string[] = [];
  const signerKeys: string[] = [];

  before(async function () {
    root = await mkdtemp(path.join(tmpdir(), "healnet-tasks-"));
    const dir = path.join(root, `chain-${(await ethers.provider.getNetwork()).chainId}`);
    // This network is shared with the test files before this one, and under --coverage each instrumented
    // deployment fills most of a block: the base fee climbs 12.5% a block while Ignition sends a batch whose
    // fees it read earlier (2 x base + tip), and a late transaction of the batch was refused as "too low for
    // the next block" (a CI failure). Each of Ignition's transactions here is mined at base fee 0 (set just
    // before it: a full block at 0 would raise the next one to 1 wei), and the base fee the other tests left
    // is restored afterwards.
    const baseFee = (await ethers.provider.getBlock("latest"))!.baseFeePerGas ?? 0n;
    const request = connection.provider.request.bind(connection.provider);
    const atBaseFeeZero = {
      request: async (args: { method: string; params?: unknown[] }) => {
        if (args.method === "eth_sendTransaction")
          await request({ method: "hardhat_setNextBlockBaseFeePerGas", params: ["0x0"] });
        return request(args);
      },
    } as typeof connection.provider;
    await runIgnition({
      provider: atBaseFeeZero,
      artifacts: hre.artifacts,
      module: "suite",
      parameters: await readParameters(parametersFile("hardhat"), "suite"),
      deploymentDir: dir,
    });
    await networkHelpers.setNextBlockBaseFeePerGas(baseFee);
    addresses = path.join(dir, "deployed_addresses.json");
    const signers = await ethers.getSigners();
    suite = await loadSuite(signers[0]!, { file: addresses });
    const { token, stake, set, health } = suite.contracts;
    const minStake = await stake.minStake();
    // Five validators (accounts 10..14) with signer keys among the network's accounts (15..19).
    for (let i = 0; i < 5; i++) {
      const account = signers[10 + i]!;
      const signer = signers[15 + i]!;
      const amount = minStake * BigInt(5 - i + 1);
      await (await token.transfer(account.address, amount)).wait();
      await (await token.connect(account).approve(await stake.getAddress(), amount)).wait();
      await (await stake.connect(account).bond(amount)).wait();
      await (await set.connect(account).registerCandidate(signer.address)).wait();
      await (await health.connect(signer).heartbeat(await healthyReport(ethers.provider))).wait();
      validators.push(account.address);
      signerKeys.push(signer.address);
    }
    await (await set.fillVacancies(10)).wait();
  });

  after(async function () {
    await rm(root, { recursive: true, force: true });
  });

  it("status: one row per validator, all active", async function () {
    const r = await heal(["status"], { addresses, backups: "50", incidents: "100" });
    expect(r.success).to.equal(true);
    const value = (r as { value: { active: number; rows: Array<{ state: string; liveness: string }> } })
      .value;
    expect(value.active).to.equal(5);
    expect(value.rows.map((row) => row.state)).to.deep.equal(Array(5).fill("active"));
  });

  it("status: a network without a deployment, or a bad addresses file, is one clear line", async function () {
    expectFailure(
      await heal(["status"], { addresses: path.join(root, "nope.json") }),
      /^heal status: .*nope\.json: cannot be read/,
    );
    expectFailure(
      await heal(["status"], { addresses: parametersFile("hardhat") }),
      /^heal status: .*hardhat\.json: "token" is missing/,
    );
  });

  it("check: shows a validator; rejects a non-address and an unknown validator", async function () {
    const r = await heal(["check"], { validator: validators[0], addresses });
    expect(r.success).to.equal(true);
    expect((r as { value: { state: string; overdue: boolean } }).value).to.include({
      state: "active",
      overdue: false,
    });

    expectFailure(
      await heal(["check"], { validator: "0x123", addresses }),
      /^heal check: validator "0x123" is not an address/,
    );
    const stranger = ethers.Wallet.createRandom().address;
    expectFailure(
      await heal(["check"], { validator: stranger, addresses }),
      new RegExp(`^heal check: validator ${stranger} is not registered on chain 31337`),
    );
  });

  it("check --send: not overdue is nothing to do", async function () {
    const fresh = await heal(["check"], { validator: validators[3], addresses, send: true });
    expect((fresh as { value: { incidentId: bigint } }).value.incidentId).to.equal(0n);
  });

  it("heartbeat: from a registered signer; refuses another account", async function () {
    const before = await suite.contracts.health.lastHeartbeatAt(validators[1]!);
    await networkHelpers.time.increase(5);
    const r = await heal(["heartbeat"], { from: signerKeys[1], addresses });
    expect(r.success, show(r)).to.equal(true);
    expect(await suite.contracts.health.lastHeartbeatAt(validators[1]!)).to.be.greaterThan(before);

    const deployer = (await ethers.getSigners())[0]!.address;
    expectFailure(
      await heal(["heartbeat"], { from: deployer, addresses }),
      /^heal heartbeat: .* is not a registered heartbeat signer/,
    );
    expectFailure(
      await heal(["heartbeat"], { from: "nobody", addresses }),
      /^heal heartbeat: --from "nobody" is not an address/,
    );
  });

  it("check --send: an overdue validator is jailed and an incident opened", async function () {
    const { set } = suite.contracts;
    const overdueAt = await set.overdueAt(validators[3]!);
    // The others stay live: only validators[3] is overdue (a correlated outage would touch nobody).
    await networkHelpers.time.increaseTo(overdueAt - 5n);
    const signers = await ethers.getSigners();
    for (const key of [signerKeys[0], signerKeys[1], signerKeys[2], signerKeys[4]]) {
      const signer = signers.find((x) => x.address === key)!;
      await (
        await suite.contracts.health.connect(signer).heartbeat(await healthyReport(ethers.provider))
      ).wait();
    }
    await networkHelpers.time.increaseTo(overdueAt + 1n);
    const r = await heal(["check"], { validator: validators[3], addresses, send: true });
    expect(r.success, show(r)).to.equal(true);
    expect((r as { value: { overdue: boolean; incidentId: bigint } }).value.overdue).to.equal(true);
    expect((r as { value: { incidentId: bigint } }).value.incidentId).to.be.greaterThan(0n);
    expect(await set.statusOf(validators[3]!)).to.equal(4n); // jailed

    // heal status lists it after the active ones, jailed, with its pending slash.
    const status = await heal(["status"], { addresses, backups: "50", incidents: "100" });
    const rows = (
      status as { value: { rows: Array<{ state: string; jailed: string; pendingSlash: string }> } }
    ).value.rows;
    expect(rows).to.have.length(5);
    expect(rows[4]).to.include({ state: "jailed", jailed: "yes" });
    expect(rows[4]!.pendingSlash).to.match(/^#1 1\.00%$/);
  });

  it("restore: refused until the remediation is reported and proven; --send releases into the backup pool", async function () {
    const { set, recovery, health } = suite.contracts;
    const v = validators[3]!;
    const incidentId = await set.incidentCount();
    expect((await set.incident(incidentId)).validator).to.equal(v);
    const signers = await ethers.getSigners();
    const beatAll = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        // 20 s apart: under the 30 s epoch, so no epoch is missed.
        await networkHelpers.time.increase(20);
        for (const key of signerKeys) {
          const signer = signers.find((x) => x.address === key)!;
          await (await health.connect(signer).heartbeat(await healthyReport(ethers.provider))).wait();
        }
      }
    };
    await beatAll(1);
    let r = await heal(["restore"], { incidentId: String(incidentId), addresses });
    expect(r.success, show(r)).to.equal(true);
    expect((r as { value: { restorable: boolean; reason: string } }).value).to.include({ restorable: false });
    expect((r as { value: { reason: string } }).value.reason).to.match(/^RecoveryManagerNotRemediated\(/);

    // The orchestrator (the operator key of the parameter file) reports the restart; heartbeats prove it.
    const operatorRole = await recovery!.OPERATOR_ROLE();
    const operator = (
      await Promise.all(
        signers.map(async (s) => ((await recovery!.hasRole(operatorRole, s.address)) ? s : null)),
      )
    ).find((s) => s !== null)!;
    await (
      await recovery!.connect(operator).reportIncidentRemediation(incidentId, true, "0x" + "11".repeat(32))
    ).wait();
    await beatAll(6);
    r = await heal(["restore"], { incidentId: String(incidentId), addresses, send: true });
    expect(r.success, show(r)).to.equal(true);
    expect((r as { value: { restored: boolean } }).value.restored).to.equal(true);
    expect(await set.statusOf(v)).to.equal(1n); // backup, not active
    expect((await recovery!.restorationOf(incidentId)).validator).to.equal(v);

    expectFailure(await heal(["restore"], { incidentId: "x", addresses }), /^heal restore: incident id "x"/);
  });

  it("guardian propose, approve, execute, list", async function () {
    const [, g1, g2] = await ethers.getSigners();
    const proposed = await heal(["guardian", "propose"], {
      action: "Pause",
      values: ["3600"],
      from: g1!.address,
      addresses,
    });
    expect(proposed.success, show(proposed)).to.equal(true);
    const id = String((proposed as { value: { proposalId: bigint } }).value.proposalId);

    const approved = await heal(["guardian", "approve"], { id, from: g2!.address, addresses });
    // Pause is an emergency action: no delay, Ready at the threshold.
    expect((approved as { value: { state: string } }).value.state).to.equal("Ready");
    const executed = await heal(["guardian", "execute"], { id, from: "", addresses });
    expect(executed.success, show(executed)).to.equal(true);
    expect(await suite.contracts.set.slashingPausedUntil()).to.be.greaterThan(0n);

    // An operational action waits for M approvals, then its delay.
    const second = await heal(["guardian", "propose"], {
      action: "ForceReplace",
      values: [validators[4]],
      from: g1!.address,
      addresses,
    });
    const id2 = String((second as { value: { proposalId: bigint } }).value.proposalId);
    expectFailure(
      await heal(["guardian", "execute"], { id: id2, from: "", addresses }),
      new RegExp(`^heal guardian execute: proposal ${id2} is Collecting`),
    );

    const listed = await heal(["guardian", "list"], { state: "", limit: "10", addresses });
    expect((listed as { value: Array<{ state: string }> }).value.map((p) => p.state)).to.deep.equal([
      "Collecting",
      "Executed",
    ]);

    expectFailure(
      await heal(["guardian", "propose"], { action: "Explode", values: [], from: g1!.address, addresses }),
      /^heal guardian propose: unknown action "Explode"/,
    );
    expectFailure(
      await heal(["guardian", "propose"], {
        action: "ForceReplace",
        values: ["0x12"],
        from: g1!.address,
        addresses,
      }),
      /^heal guardian propose: validator "0x12" is not an address/,
    );
    const deployer = (await ethers.getSigners())[0]!.address;
    expectFailure(
      await heal(["guardian", "propose"], { action: "Unpause", values: [], from: deployer, addresses }),
      /is not a guardian of the council/,
    );
    // CancelTimelockOperation: a bad operation id is refused before sending; a target that is no timelock
    // where the council is a canceller is refused by the council (decoded, one line).
    const council = suite.addresses.council!;
    expectFailure(
      await heal(["guardian", "propose"], {
        action: "CancelTimelockOperation",
        values: [council, "0x12"],
        from: g1!.address,
        addresses,
      }),
      /^heal guardian propose: operationId must be 0x and 64 hex digits, got "0x12"$/,
    );
    expectFailure(
      await heal(["guardian", "propose"], {
        action: "CancelTimelockOperation",
        values: [council, `0x${"ab".repeat(32)}`],
        from: g1!.address,
        addresses,
      }),
      /^heal guardian propose: reverted: GuardianCouncilInvalidAction\(10\)$/,
    );
  });

  it("snapshot propose, attest, list; audit verify", async function () {
    const block = await ethers.provider.getBlock("latest");
    const h = (s: string) => ethers.id(s);
    const proposed = await heal(["snapshot", "propose"], {
      height: String(block!.number),
      blockHash: block!.hash,
      stateRoot: h("root"),
      contentHash: h("content"),
      cid: "bafy-test",
      size: "1048576",
      from: "",
      addresses,
    });
    expect(proposed.success, show(proposed)).to.equal(true);
    const id = String((proposed as { value: { snapshotId: bigint } }).value.snapshotId);

    const attested = await heal(["snapshot", "attest"], {
      id,
      asGuardian: false,
      from: validators[0],
      addresses,
    });
    expect(attested.success, show(attested)).to.equal(true);
    const listed = await heal(["snapshot", "list"], { limit: "5", addresses });
    expect((listed as { value: Array<{ id: string; cid: string }> }).value[0]).to.include({
      id,
      cid: "bafy-test",
    });

    expectFailure(
      await heal(["snapshot", "attest"], { id: "99", asGuardian: false, from: "", addresses }),
      /snapshot 99 does not exist/,
    );
    expectFailure(
      await heal(["snapshot", "propose"], {
        height: "1",
        blockHash: "0x12",
        stateRoot: "",
        contentHash: "",
        cid: "",
        size: "1",
        from: "",
        addresses,
      }),
      /--block-hash must be 0x and 64 hex digits/,
    );

    const verified = await heal(["audit", "verify"], { fromBlock: "0", addresses });
    expect(verified.success, show(verified)).to.equal(true);
    expect((verified as { value: { ok: boolean; length: bigint } }).value.ok).to.equal(true);
    expect((verified as { value: { length: bigint } }).value.length).to.be.greaterThan(0n);
  });

  it("sentinel add, list, check; status shows the pool", async function () {
    const signers = await ethers.getSigners();
    const sentinelSigner = signers[8]!;
    const sentinel = "0x00000000000000000000000000000000005E7701";
    const added = await heal(["sentinel", "add"], {
      sentinel,
      signer: sentinelSigner.address,
      operator: "",
      endpoint: "http://10.0.0.7:8545",
      from: "",
      addresses,
    });
    expect(added.success, show(added)).to.equal(true);
    expectFailure(
      await heal(["sentinel", "add"], {
        sentinel,
        signer: signers[9]!.address,
        operator: "",
        endpoint: "http://10.0.0.8:8545",
        from: "",
        addresses,
      }),
      /^heal sentinel add: .*SentinelRegistryIdTaken/,
    );
    // Not served before it heartbeats; a check with nothing to change sends nothing.
    let checked = await heal(["sentinel", "check"], { sentinel: "", from: "", addresses });
    expect((checked as { value: { sent: boolean } }).value.sent).to.equal(false);
    await (
      await suite.contracts.health.connect(sentinelSigner).heartbeat(await healthyReport(ethers.provider))
    ).wait();
    checked = await heal(["sentinel", "check"], { sentinel, from: "", addresses });
    expect((checked as { value: { served: boolean; sent: boolean } }).value).to.deep.include({
      served: true,
      sent: true,
    });
    const listed = await heal(["sentinel", "list"], { addresses });
    const rows = (listed as { value: { served: number; rows: Array<{ sentinel: string; served: string }> } })
      .value;
    expect(rows.served).to.equal(1);
    expect(rows.rows).to.have.length(1);
    expect(rows.rows[0]!.sentinel.toLowerCase()).to.equal(sentinel.toLowerCase());
    expect(rows.rows[0]!.served).to.equal("yes");
    const status = await heal(["status"], { addresses, backups: "50", incidents: "100" });
    const pool = (status as { value: { sentinels?: { served: number; min: number; degraded: boolean } } })
      .value.sentinels;
    expect(pool).to.deep.equal({ ...pool, served: 1, min: 2, degraded: true });
  });

  it("deploy: an unknown module is one clear line", async function () {
    expectFailure(
      await heal(["deploy"], { module: "everything", parameters: "", deploymentDir: "" }),
      /--module "everything" is not one of suite, governance, core/,
    );
  });
});
