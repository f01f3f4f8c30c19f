/**
 * `heal snapshot propose|attest|list`: the SnapshotRegistry.
 *
 *   heal snapshot propose --height 1200 --block-hash 0x… --state-root 0x… --content-hash 0x… --cid bafy… --size 1048576
 *   heal snapshot attest 3 --from <active validator>      (or --as-guardian --from <guardian>)
 *   heal snapshot list --limit 20
 */
import {
  connectSuite,
  guardianSide,
  HealError,
  healAction,
  parseUint,
  printTable,
  signerOf,
} from "./common.js";

const STATE = ["None", "Proposed", "Attested", "Final", "Frozen", "Rejected"];

interface Common {
  from: string;
  addresses: string;
}

function bytes32(value: string, what: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new HealError(`${what} must be 0x and 64 hex digits, got "${value}"`);
  return value;
}

export interface SnapshotProposeArgs extends Common {
  height: string;
  blockHash: string;
  stateRoot: string;
  contentHash: string;
  cid: string;
  size: string;
}

export const propose = healAction("snapshot propose", async (args: SnapshotProposeArgs, hre) => {
  const height = parseUint(args.height, "--height");
  const blockHash = bytes32(args.blockHash, "--block-hash");
  const stateRoot = bytes32(args.stateRoot, "--state-root");
  const contentHash = bytes32(args.contentHash, "--content-hash");
  if (args.cid === "") throw new HealError("--cid is required (the snapshot file's content identifier)");
  const size = parseUint(args.size, "--size");
  const c = await connectSuite(hre, args.addresses);
  const { snapshots } = guardianSide(c);
  const signer = await signerOf(c, args.from);
  // The bond is paid in HealToken: approve it first if the allowance is short.
  const bond = (await snapshots.parameters()).proposalBond;
  const token = c.suite.contracts.token.connect(signer);
  const registry = await snapshots.getAddress();
  if (bond > 0n && (await token.allowance(signer.address, registry)) < bond) {
    await (await token.approve(registry, bond)).wait();
  }
  const r = snapshots.connect(signer);
  const snapshotId = await r.propose.staticCall(height, blockHash, stateRoot, contentHash, args.cid, size);
  await (await r.propose(height, blockHash, stateRoot, contentHash, args.cid, size)).wait();
  console.log(`snapshot ${snapshotId} proposed at height ${height} (bond ${bond} wei of HEAL)`);
  return { snapshotId };
});

export const attest = healAction(
  "snapshot attest",
  async (args: Common & { id: string; asGuardian: boolean }, hre) => {
    const snapshotId = parseUint(args.id, "snapshot id");
    const c = await connectSuite(hre, args.addresses);
    const { snapshots } = guardianSide(c);
    if (snapshotId === 0n || snapshotId > (await snapshots.snapshotCount())) {
      throw new HealError(`snapshot ${snapshotId} does not exist (heal snapshot list shows them)`);
    }
    const signer = await signerOf(c, args.from);
    const r = snapshots.connect(signer);
    await (await (args.asGuardian ? r.attestAsGuardian(snapshotId) : r.attest(snapshotId))).wait();
    const state = STATE[Number(await snapshots.stateOf(snapshotId))];
    console.log(
      `snapshot ${snapshotId} attested by ${signer.address}${args.asGuardian ? " as guardian" : ""}: now ${state}`,
    );
    return { snapshotId, state };
  },
);

export const list = healAction("snapshot list", async (args: { limit: string; addresses: string }, hre) => {
  const limit = parseUint(args.limit, "--limit");
  const c = await connectSuite(hre, args.addresses);
  const { snapshots } = guardianSide(c);
  const count = await snapshots.snapshotCount();
  const rows: Array<Record<string, string>> = [];
  for (let id = count; id >= 1n && count - id < limit; id--) {
    const [s, state] = await Promise.all([snapshots.snapshot(id), snapshots.stateOf(id)]);
    rows.push({
      id: String(id),
      height: String(s.height),
      state: STATE[Number(state)] ?? String(state),
      "attested stake": String(s.attestedStake),
      guardians: String(s.guardianAttestations),
      cid: s.cid,
      proposer: s.proposer,
    });
  }
  printTable(rows, "(no snapshots)");
  return rows;
});
