/**
 * `heal sentinel list|add|check`: the SentinelRegistry (the pool of read-only nodes recovering nodes resync from).
 *
 *   heal sentinel list
 *   heal sentinel add 0x<sentinel id> --signer 0x<heartbeat key> --operator 0x… --endpoint http://10.0.0.7:8545
 *   heal sentinel check              (every sentinel: drops the silent, restores the live; permissionless)
 *   heal sentinel check 0x<sentinel id>
 */
import { sentinelRows } from "../src/suite/status.js";
import {
  connectSuite,
  HealError,
  healAction,
  parseAddress,
  printTable,
  sentinelRegistry,
  signerOf,
} from "./common.js";

interface Common {
  from: string;
  addresses: string;
}

export const list = healAction("sentinel list", async (args: { addresses: string }, hre) => {
  const c = await connectSuite(hre, args.addresses);
  const registry = sentinelRegistry(c);
  const [served, params, degraded] = await Promise.all([
    registry.servedCount(),
    registry.parameters(),
    registry.degraded(),
  ]);
  const rows = await sentinelRows({
    sentinels: registry,
    health: c.suite.contracts.health,
    provider: c.ethers.provider,
  });
  console.log(
    `sentinels: ${served} served of ${rows.length} (minimum ${params.minSentinels}, cap ${params.maxSentinels})` +
      (degraded ? ", DEGRADED" : ""),
  );
  printTable(
    rows.map(({ heartbeatAgeS, ...r }) => ({ ...r, "heartbeat age (s)": heartbeatAgeS })),
    "(no sentinels registered yet)",
  );
  return { served: Number(served), degraded, rows };
});

export interface SentinelAddArgs extends Common {
  sentinel: string;
  signer: string;
  operator: string;
  endpoint: string;
}

export const add = healAction("sentinel add", async (args: SentinelAddArgs, hre) => {
  const sentinel = parseAddress(args.sentinel, "sentinel id");
  const signerKey = parseAddress(args.signer, "--signer");
  if (args.endpoint === "") throw new HealError("--endpoint is required (e.g. http://10.0.0.7:8545)");
  const c = await connectSuite(hre, args.addresses);
  const registry = sentinelRegistry(c);
  const from = await signerOf(c, args.from);
  const operator = args.operator === "" ? from.address : parseAddress(args.operator, "--operator");
  const r = registry.connect(from);
  await r.addSentinel.staticCall(sentinel, signerKey, operator, args.endpoint);
  await (await r.addSentinel(sentinel, signerKey, operator, args.endpoint)).wait();
  console.log(
    `sentinel ${sentinel} added (operator ${operator}, endpoint ${args.endpoint}); it is served once its signer ` +
      `${signerKey} heartbeats (heal heartbeat / the sidecar) and a check finds it live (heal sentinel check)`,
  );
  return { sentinel, operator };
});

export const check = healAction("sentinel check", async (args: Common & { sentinel: string }, hre) => {
  const c = await connectSuite(hre, args.addresses);
  const registry = sentinelRegistry(c);
  const r = registry.connect(await signerOf(c, args.from));
  if (args.sentinel === "") {
    const [dropped, restored] = await r.checkAll.staticCall();
    if (dropped === 0n && restored === 0n) {
      console.log("every sentinel's served status is current: nothing to change, nothing sent");
      return { dropped: 0, restored: 0, sent: false };
    }
    await (await r.checkAll()).wait();
    console.log(`checked every sentinel: ${dropped} dropped, ${restored} restored`);
    return { dropped: Number(dropped), restored: Number(restored), sent: true };
  }
  const sentinel = parseAddress(args.sentinel, "sentinel id");
  const before = (await registry.sentinel(sentinel)).served;
  const served = await r.checkSentinel.staticCall(sentinel);
  if (served === before) {
    console.log(`sentinel ${sentinel}: ${served ? "served" : "not served"}, unchanged; nothing sent`);
    return { sentinel, served, sent: false };
  }
  await (await r.checkSentinel(sentinel)).wait();
  console.log(`sentinel ${sentinel}: ${served ? "restored to" : "dropped from"} the served list`);
  return { sentinel, served, sent: true };
});
