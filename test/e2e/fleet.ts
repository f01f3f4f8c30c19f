/**
 * The multi-process end-to-end test: a real JSON-RPC node (anvil; automine, and an empty block every second), the
 * suite deployed with Ignition, and the agents as child processes — 4 sidecars for the active validators + 1 for the backup,
 * 2 keepers and the orchestrator (process driver: it runs validator V's node, an anvil of its own). Loopback
 * only, every wait bounded, every child killed in `after`.
 *
 *   1. V's node is stalled (a fresh chain at height 0 while the network is ~700 blocks ahead): V's sidecar
 *      reports it, a keeper opens a remediation request, the orchestrator restarts the node (not enough: still
 *      at 0), resyncs it from the registry's final snapshot (an anvil state dump at height 550, hash-checked)
 *      and reports the result on-chain (IncidentRemediationReported ok=true).
 *   2. One active validator's sidecar is SIGKILLed: the validator is replaced by the backup within
 *      heartbeatInterval + gracePeriod + a few blocks, by one keeper (one incident, one reporter).
 *   3. The chain is moved past the appeal window (1 h): the keepers execute the slash and exactly
 *      one keeper — the reporter — is paid.
 *   4. Every process (sidecars, keepers, orchestrator) gets SIGTERM and exits 0.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { HDNodeWallet, keccak256, type Wallet } from "ethers";
import { network } from "hardhat";

import { runIgnition } from "../../deploy/ignition.js";
import { type Anvil, launchAnvil } from "../../src/chain/anvil.js";
import { DirectoryContentStore } from "../../src/agents/orchestrator/store.js";
import { connectSuite, CORE_KEYS, GUARDIAN_KEYS, type SuiteContracts } from "../../src/suite/addresses.js";
import type { CoreSuite } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { type AgentProcess, eventually, killAll, spawnAgent, writeKeyFile } from "../helpers/agents.js";
import { startAnvil } from "../helpers/anvil.js";

const hre = await import("hardhat");

const TOKEN = 10n ** 18n;
const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);

const HEARTBEAT_INTERVAL = 6;
const GRACE_PERIOD = 6;
const PREMINED = 600;
const SNAPSHOT_HEIGHT = 550;
/** NodeHealth's maxHeightLag and the orchestrator's heal threshold (blocks behind the best height). */
const HEIGHT_LAG = 300;

async function rawRpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

describe("fleet end-to-end (anvil, Ignition, agents as processes)", function () {
  this.timeout(300_000);
  let dir: string;
  let chain: Anvil;
  let connection: Awaited<ReturnType<typeof network.create>>;
  let suite: SuiteContracts;
  let ops: Operator[];
  let deployBlock: number;
  let addressesFile: string;
  const sidecars = new Map<string, AgentProcess>();
  const keepers: AgentProcess[] = [];
  const keeperArgs: string[][] = [];
  let orchestrator: AgentProcess;
  const keeperKeys = [account(11), account(12)];
  const operatorKey = account(5);
  let stalled: Operator;
  let victim: Operator;
  let backup: Operator;
  const nodePort = 20_600 + (process.pid % 300);
  let ticker: NodeJS.Timeout | undefined;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "healnet-e2e-"));
    // Automine while setting up (Ignition, fixtures); 1 s interval mining once the agents start.
    // Under --coverage the artifacts hold instrumented bytecode, larger than EIP-170 allows, so startAnvil lifts
    // the limit there (the in-process network does too); the real sizes are checked by the build and the gas step.
    chain = await startAnvil(["--accounts", "20", "--chain-id", "31337"]);
    await rawRpc(chain.url, "anvil_mine", [`0x${PREMINED.toString(16)}`, "0x1"]);
    connection = await network.create({ network: "localhost", override: { url: chain.url } });

    // The snapshot file: a second anvil's state dump at SNAPSHOT_HEIGHT, as a snapshot producer publishes it.
    const statePath = join(dir, "snapshot-state.json");
    const producer = await launchAnvil({
      args: ["--chain-id", "31337", "--dump-state", statePath],
      timeoutMs: 20_000,
    });
    await rawRpc(producer.url, "anvil_mine", [`0x${SNAPSHOT_HEIGHT.toString(16)}`]);
    // SIGINT: anvil writes the dump, then exits.
    await producer.stop({ signal: "SIGINT", graceMs: 60_000 });
    const snapshotBytes = new Uint8Array(readFileSync(statePath));
    const cid = await new DirectoryContentStore(join(dir, "store")).put(snapshotBytes);

    // Ignition: the whole suite, short liveness windows (heartbeat every 6 s, 6 s grace), one guardian.
    const p = withParameters({
      health: {
        heartbeatInterval: HEARTBEAT_INTERVAL,
        gracePeriod: GRACE_PERIOD,
        maxHeartbeatAge: 3 * HEARTBEAT_INTERVAL,
        maxHeightLag: HEIGHT_LAG,
        stallReports: 2,
      },
      set: { maxActive: 4, minActive: 2, correlatedFaultBps: 10_000, appealWindow: 3_600 },
    });
    deployBlock = Number(await rawRpc(chain.url, "eth_blockNumber"));
    const ids = await runIgnition({
      provider: connection.provider,
      artifacts: hre.artifacts,
      module: "suite",
      parameters: {
        HealnetCore: { treasury: account(19).address, health: { ...p.health }, set: { ...p.set } },
        HealnetGuardians: {
          guardians: [account(1).address],
          threshold: 1,
          operator: operatorKey.address,
          snapshots: { ...p.snapshots, challengeWindow: 60 },
        },
      },
    });
    const addresses = Object.fromEntries(
      Object.entries({ ...CORE_KEYS, ...GUARDIAN_KEYS }).map(([key, id]) => [key, ids[id]!]),
    );
    addressesFile = join(dir, "addresses.json");
    writeFileSync(addressesFile, JSON.stringify(addresses));
    const [admin] = await connection.ethers.getSigners();
    suite = connectSuite(addresses as never, admin!);

    // The final snapshot in the registry: proposed with a bond, attested by the guardian, window passed.
    const bond = p.snapshots.proposalBond;
    await (await suite.token.approve(addresses.snapshots!, bond)).wait();
    await (
      await suite.snapshots!.propose(
        SNAPSHOT_HEIGHT,
        "0x" + "aa".repeat(32),
        "0x" + "bb".repeat(32),
        keccak256(snapshotBytes),
        cid,
        snapshotBytes.length,
      )
    ).wait();
    const snapshotId = await suite.snapshots!.snapshotCount();
    const guardian = (await connection.ethers.getSigners())[1]!;
    await (await suite.snapshots!.connect(guardian).attestAsGuardian(snapshotId)).wait();
    await rawRpc(chain.url, "evm_increaseTime", ["0x3d"]);
    await rawRpc(chain.url, "evm_mine");
    await (await suite.snapshots!.finalize(snapshotId)).wait();
    expect(await suite.snapshots!.latestFinal()).to.equal(snapshotId);

    // Five validators: the four largest become active, the smallest waits as the backup.
    const core = { ...suite, admin, treasury: account(19).address, parameters: p } as unknown as CoreSuite;
    ops = await createOperators(
      connection.ethers,
      core,
      [9n, 8n, 7n, 6n, 5n].map((k) => k * 1_000n * TOKEN),
      "e2e",
    );
    await heartbeatAll(core, ops);
    await (await suite.set.fillVacancies(4)).wait();
    [, stalled, victim] = ops as [Operator, Operator, Operator];
    backup = ops[4]!;
    expect(await suite.set.isActive(backup.account.address)).to.equal(false);
    for (const k of keeperKeys)
      await rawRpc(chain.url, "anvil_setBalance", [k.address, "0x3635C9ADC5DEA00000"]);
    // Transactions are mined at once (automine), and the test mines an empty block every second so the
    // chain's clock moves like a live chain's.
    const minedFrom = BigInt((await rawRpc(chain.url, "eth_blockNumber")) as string);
    ticker = setInterval(() => void rawRpc(chain.url, "evm_mine").catch(() => undefined), 1_000);
    await eventually(
      "the chain advancing",
      async () => BigInt((await rawRpc(chain.url, "eth_blockNumber")) as string) > minedFrom + 1n,
      10_000,
      200,
    );
  });

  after(async function () {
    // Every agent's log lines, for a failed run (the temporary directory is removed below).
    const all = [orchestrator, ...keepers, ...sidecars.values()].filter((a) => a !== undefined);
    writeFileSync(
      join(tmpdir(), "healnet-e2e-last.log"),
      all
        .map((a) => [`== ${a.name}`, ...a.logs.map((l) => JSON.stringify(l)), ...a.stderr].join("\n"))
        .join("\n"),
    );
    clearInterval(ticker);
    if (chain) writeFileSync(join(tmpdir(), "healnet-e2e-anvil.log"), chain.output());
    await killAll();
    await connection?.close().catch(() => undefined);
    if (chain) await chain.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function common(name: string, key: Wallet | HDNodeWallet, interval: string): string[] {
    return [
      "--rpc-urls",
      chain.url,
      "--chain-id",
      "31337",
      "--addresses",
      addressesFile,
      "--key-file",
      writeKeyFile(join(dir, `${name}.key`), key.privateKey),
      "--intent-log",
      join(dir, `${name}.sqlite`),
      "--metrics-port",
      "0",
      "--interval-ms",
      interval,
      "--tx-poll-ms",
      "200ms",
      "--rpc-timeout-ms",
      "5s",
      "--log-level",
      process.env.HEALNET_E2E_LOG_LEVEL ?? "info",
    ];
  }

  it("starts 5 sidecars, 2 keepers and the orchestrator", async function () {
    const nodes = {
      nodes: [
        { validator: stalled.account.address, nodeId: "stalled", port: nodePort, config: { chainId: 31337 } },
      ],
    };
    const nodesFile = join(dir, "nodes.json");
    writeFileSync(nodesFile, JSON.stringify(nodes));
    orchestrator = spawnAgent(
      "orchestrator",
      [
        ...common("orchestrator", operatorKey, "1s"),
        "--nodes",
        nodesFile,
        "--data-dir",
        join(dir, "nodes"),
        "--store-dir",
        join(dir, "store"),
        "--state-file",
        join(dir, "orchestrator-state.json"),
        "--from-block",
        String(deployBlock),
        "--heal-wait-ms",
        "3s",
        "--heal-max-height-lag",
        "500",
      ],
      {},
      "orchestrator",
    );
    await orchestrator.waitForLog((l) => l.msg === "orchestrator started", 60_000);
    for (const [i, op] of ops.entries()) {
      const args = [...common(`sidecar-${i}`, op.signer, "2s"), "--validator", op.account.address];
      if (op === stalled) args.push("--node-url", `http://127.0.0.1:${nodePort}`);
      sidecars.set(op.account.address, spawnAgent("sidecar", args, {}, `sidecar-${i}`));
    }
    for (const [i, key] of keeperKeys.entries()) {
      const args = [
        ...common(`keeper-${i}`, key, "1s"),
        "--rotate-every-ticks",
        "1000000",
        "--claim-rewards-above",
        "0.000001",
      ];
      keeperArgs.push(args);
      keepers.push(spawnAgent("keeper", args, {}, `keeper-${i}`));
    }
    for (const agent of [...sidecars.values(), ...keepers]) {
      await agent.waitForLog((l) => typeof l.msg === "string" && l.msg.endsWith(" started"), 60_000);
    }
  });

  it("a stalled node is restarted, then resynced from the final snapshot, with the result on-chain", async function () {
    const reported = await orchestrator.waitForLog(
      (l) => l.msg === "work handled" && l.type === "incident",
      120_000,
    );
    expect(reported.result).to.equal("reported-ok");
    expect(reported.rung).to.equal("resync");
    const events = await suite.recovery!.queryFilter(
      suite.recovery!.filters.IncidentRemediationReported(),
      deployBlock,
    );
    expect(events).to.have.length(1);
    expect(events[0]!.args.ok).to.equal(true);
    expect(events[0]!.args.operator).to.equal(operatorKey.address);
    const incident = await suite.set.incident(events[0]!.args.incidentId);
    expect(incident.validator).to.equal(stalled.account.address);
    // The node really is at the snapshot's height now (it was at 0).
    const height = BigInt((await rawRpc(`http://127.0.0.1:${nodePort}`, "eth_blockNumber")) as string);
    expect(height >= BigInt(SNAPSHOT_HEIGHT)).to.equal(true);
  });

  it("a validator whose sidecar is killed is replaced by the backup within interval + grace + a few blocks", async function () {
    const before = await suite.set.incidentCount();
    const sidecar = sidecars.get(victim.account.address)!;
    await sidecar.stop("SIGKILL");
    const fromBlock = await connection.ethers.provider.getBlockNumber();
    // The time of the block that replaced it (its ValidatorReplaced event), not of whatever block is latest
    // when the poll notices: a slow poll on a loaded machine must not count against the set.
    const replacedAt = await eventually(
      "the victim replaced",
      async () => {
        if (await suite.set.isActive(victim.account.address)) return undefined;
        const [replaced] = await suite.set.queryFilter(
          suite.set.filters.ValidatorReplaced(victim.account.address),
          fromBlock,
        );
        if (replaced === undefined)
          throw new Error("the victim left the active set without ValidatorReplaced");
        return BigInt((await replaced.getBlock()).timestamp);
      },
      (HEARTBEAT_INTERVAL + GRACE_PERIOD + 30) * 1_000,
      250,
    );
    // Read once it is replaced: a heartbeat the sidecar sent just before it was killed may be mined after.
    const lastHeartbeat = await suite.health.lastHeartbeatAt(victim.account.address);
    expect(Number(replacedAt - lastHeartbeat)).to.be.at.most(HEARTBEAT_INTERVAL + GRACE_PERIOD + 4);
    expect(await suite.set.isActive(backup.account.address)).to.equal(true);
    const id = await eventually(
      "the downtime incident",
      async () => {
        for (let i = before + 1n; i <= (await suite.set.incidentCount()); i++) {
          const inc = await suite.set.incident(i);
          if (inc.validator === victim.account.address) return i;
        }
        return undefined;
      },
      10_000,
    );
    const incident = await suite.set.incident(id);
    expect(keeperKeys.map((k) => k.address)).to.include(incident.reporter);
  });

  it("after the appeal window the slash is executed and exactly one keeper — the reporter — is paid", async function () {
    const incidents = await suite.set.incidentCount();
    let victimIncident = 0n;
    for (let i = 1n; i <= incidents; i++)
      if ((await suite.set.incident(i)).validator === victim.account.address) victimIncident = i;
    expect(victimIncident).to.not.equal(0n);
    // The keepers stop (SIGTERM, exit 0) while the chain jumps past the appeal window (at least an hour): the
    // sidecars heartbeat first, so the jump does not make every validator look overdue; then the keepers come
    // back with their intent logs.
    for (const keeper of keepers) expect((await keeper.stop("SIGTERM")).code).to.equal(0);
    await rawRpc(chain.url, "evm_increaseTime", [`0x${(3_600 + 5).toString(16)}`]);
    await rawRpc(chain.url, "evm_mine");
    const jumped = BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp);
    const live = [...sidecars.keys()].filter((a) => a !== victim.account.address);
    await eventually(
      "every live validator's heartbeat after the jump",
      async () => {
        for (const v of live) if ((await suite.health.lastHeartbeatAt(v)) < jumped) return false;
        return true;
      },
      30_000,
      250,
    );
    keepers.splice(
      0,
      keepers.length,
      ...keeperArgs.map((args, i) => spawnAgent("keeper", args, {}, `keeper-${i}-again`)),
    );
    await eventually(
      "the slash executed",
      async () => (await suite.set.incident(victimIncident)).slashState === 2n,
      60_000,
      500,
    );
    const reporter = (await suite.set.incident(victimIncident)).reporter;
    const paid = await eventually(
      "the reporter's reward claimed",
      async () => {
        const balances = await Promise.all(keeperKeys.map((k) => suite.token.balanceOf(k.address)));
        return balances.some((b) => b > 0n) ? balances : undefined;
      },
      60_000,
      500,
    );
    expect(paid.filter((b) => b > 0n)).to.have.length(1);
    expect(paid[keeperKeys.findIndex((k) => k.address === reporter)]! > 0n).to.equal(true);
  });

  it("every process exits 0 on SIGTERM", async function () {
    const running = [...sidecars].filter(([a]) => a !== victim.account.address).map(([, s]) => s);
    for (const agent of [...running, ...keepers, orchestrator]) {
      const exit = await agent.stop("SIGTERM", 60_000);
      expect(exit.code, `${agent.name}: ${agent.stderr.join(" ")}`).to.equal(0);
      expect(agent.logs.some((l) => l.msg === "stopped")).to.equal(true);
    }
  });
});
