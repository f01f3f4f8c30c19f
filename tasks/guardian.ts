/**
 * `heal guardian propose|approve|execute|list`: the GuardianCouncil through src/suite/guardians.ts.
 *
 *   heal guardian propose Pause 3600                 heal guardian propose Resync <validator> <snapshotId>
 *   heal guardian propose ForceReplace <validator>   heal guardian propose Forgive <incidentId>
 *   heal guardian approve 1 --from <guardian>        heal guardian execute 1
 *   heal guardian list --state Queued
 *   heal guardian propose CancelTimelockOperation <timelock> <operationId>   (stops a queued upgrade)
 */
import {
  ACTION_TYPE_NAMES,
  approveProposal,
  executeWhenReady,
  type GuardianAction,
  listProposals,
  ProposalNotReadyError,
  ProposalState,
  type ProposalStateName,
  proposeAction,
} from "../src/suite/guardians.js";
import {
  connectSuite,
  guardianSide,
  HealError,
  healAction,
  parseAddress,
  parseBytes32,
  parseUint,
  printTable,
  signerOf,
} from "./common.js";

const USAGE: Record<string, string> = {
  Pause: "Pause <seconds>",
  Unpause: "Unpause",
  Resync: "Resync <validator> <snapshotId>",
  Reprovision: "Reprovision <validator> <configCid>",
  Forgive: "Forgive <incidentId>",
  ForceReplace: "ForceReplace <validator>",
  ApproveKeyRotation: "ApproveKeyRotation <validator> <newSigner>",
  UpdateParameters: "UpdateParameters <target> <callData 0x…>",
  ChangeGuardians: "ChangeGuardians <add,comma,separated|-> <remove,comma,separated|-> <threshold>",
  AttestSnapshot: "AttestSnapshot <snapshotId>",
  CancelTimelockOperation: "CancelTimelockOperation <timelock> <operationId>",
};

/** The action named `type` with its positional `values`, or a HealError showing the usage. */
export function parseAction(type: string, values: readonly string[]): GuardianAction {
  const name = ACTION_TYPE_NAMES.find((n) => n.toLowerCase() === type.toLowerCase());
  if (name === undefined) {
    throw new HealError(`unknown action "${type}" (one of ${ACTION_TYPE_NAMES.join(", ")})`);
  }
  const usage = USAGE[name]!;
  const expected = usage.split(" ").length - 1;
  if (values.length !== expected) {
    throw new HealError(`${name} takes ${expected} argument(s): heal guardian propose ${usage}`);
  }
  const [a = "", b = "", t = ""] = values;
  const list = (v: string, what: string) =>
    v === "-" || v === "" ? [] : v.split(",").map((x, i) => parseAddress(x, `${what}[${i}]`));
  switch (name) {
    case "Pause":
      return { type: name, duration: parseUint(a, "seconds") };
    case "Unpause":
      return { type: name };
    case "Resync":
      return { type: name, validator: parseAddress(a, "validator"), snapshotId: parseUint(b, "snapshotId") };
    case "Reprovision":
      if (b === "") throw new HealError("configCid must not be empty");
      return { type: name, validator: parseAddress(a, "validator"), configCid: b };
    case "Forgive":
      return { type: name, incidentId: parseUint(a, "incidentId") };
    case "ForceReplace":
      return { type: name, validator: parseAddress(a, "validator") };
    case "ApproveKeyRotation":
      return { type: name, validator: parseAddress(a, "validator"), newSigner: parseAddress(b, "newSigner") };
    case "UpdateParameters":
      if (!/^0x([0-9a-fA-F]{2})+$/.test(b))
        throw new HealError(`callData must be 0x-prefixed hex, got "${b}"`);
      return { type: name, target: parseAddress(a, "target"), callData: b };
    case "ChangeGuardians":
      return {
        type: name,
        add: list(a, "add"),
        remove: list(b, "remove"),
        threshold: Number(parseUint(t, "threshold")),
      };
    case "AttestSnapshot":
      return { type: name, snapshotId: parseUint(a, "snapshotId") };
    case "CancelTimelockOperation":
      return {
        type: name,
        timelock: parseAddress(a, "timelock"),
        operationId: parseBytes32(b, "operationId"),
      };
  }
}

interface Common {
  from: string;
  addresses: string;
}

export const propose = healAction(
  "guardian propose",
  async (args: Common & { action: string; values: string[] }, hre) => {
    const action = parseAction(args.action, args.values);
    const c = await connectSuite(hre, args.addresses);
    const { council } = guardianSide(c);
    const guardian = await signerOf(c, args.from);
    if (!(await council.isGuardian(guardian.address))) {
      throw new HealError(
        `${guardian.address} is not a guardian of the council ${await council.getAddress()} (pass one with --from)`,
      );
    }
    const { proposalId } = await proposeAction(council, guardian, action);
    console.log(
      `proposal ${proposalId}: ${action.type} proposed by ${guardian.address} (counts as its approval)`,
    );
    return { proposalId };
  },
);

export const approve = healAction("guardian approve", async (args: Common & { id: string }, hre) => {
  const proposalId = parseUint(args.id, "proposal id");
  const c = await connectSuite(hre, args.addresses);
  const { council } = guardianSide(c);
  const guardian = await signerOf(c, args.from);
  await approveProposal(council, guardian, proposalId);
  const state = Object.keys(ProposalState)[Number(await council.stateOf(proposalId))];
  console.log(`proposal ${proposalId} approved by ${guardian.address}: now ${state}`);
  return { proposalId, state };
});

export const execute = healAction("guardian execute", async (args: Common & { id: string }, hre) => {
  const proposalId = parseUint(args.id, "proposal id");
  const c = await connectSuite(hre, args.addresses);
  const { council } = guardianSide(c);
  try {
    const receipt = await executeWhenReady(council, await signerOf(c, args.from), proposalId);
    console.log(`proposal ${proposalId} executed (tx ${receipt.hash})`);
    return { proposalId, transactionHash: receipt.hash };
  } catch (e) {
    if (e instanceof ProposalNotReadyError) throw new HealError(e.message);
    throw e;
  }
});

export const list = healAction(
  "guardian list",
  async (args: { state: string; limit: string; addresses: string }, hre) => {
    const limit = Number(parseUint(args.limit, "--limit"));
    let states: ProposalStateName[] | undefined;
    if (args.state !== "") {
      const s = (Object.keys(ProposalState) as ProposalStateName[]).find(
        (n) => n.toLowerCase() === args.state.toLowerCase(),
      );
      if (s === undefined)
        throw new HealError(`--state "${args.state}" is not one of ${Object.keys(ProposalState).join(", ")}`);
      states = [s];
    }
    const c = await connectSuite(hre, args.addresses);
    const { council } = guardianSide(c);
    const proposals = await listProposals(council, { limit, ...(states && { states }) });
    const threshold = await council.threshold();
    printTable(
      proposals.map((p) => ({
        id: String(p.id),
        action: p.actionType,
        state: p.state,
        approvals: `${p.approvals}/${threshold}`,
        proposer: p.proposer,
        "executable at": p.executableAt === 0n ? "-" : String(p.executableAt),
        expires: String(p.expiresAt),
      })),
      "(no proposals)",
    );
    return proposals;
  },
);
