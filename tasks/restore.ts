/**
 * `heal restore <incidentId>`: whether the validator jailed by the incident can be restored now (an eth_call of
 * `RecoveryManager.restore`, its refusal decoded); with `--send`, calls it: the validator is released into the
 * backup pool and the incident closed with its time to recover. `--action <id>` uses a succeeded Resync /
 * Reprovision action as the remediation proof instead of the incident's own report.
 */
import { decodeRevert } from "../src/chain/errors.js";
import { connectSuite, guardianSide, HealError, healAction, signerOf } from "./common.js";

export interface RestoreArgs {
  incidentId: string;
  action: string;
  send: boolean;
  from: string;
  addresses: string;
}

export interface RestoreResult {
  incidentId: bigint;
  actionId: bigint;
  /** Whether `restore` would succeed now (or did, with --send). */
  restorable: boolean;
  /** The custom error that refuses it, with its arguments, when not restorable. */
  reason?: string;
  /** Seconds from the fault to the restore (when restorable). */
  timeToRecover?: bigint;
  restored?: boolean;
}

function parseId(value: string, what: string): bigint {
  if (!/^\d+$/.test(value.trim())) throw new HealError(`${what} "${value}" is not a non-negative integer`);
  return BigInt(value.trim());
}

export default healAction("restore", async (args: RestoreArgs, hre): Promise<RestoreResult> => {
  const incidentId = parseId(args.incidentId, "incident id");
  const actionId = parseId(args.action || "0", "action id");
  const c = await connectSuite(hre, args.addresses);
  const { recovery } = guardianSide(c);
  const signer = await signerOf(c, args.from);
  const rm = recovery.connect(signer);
  let timeToRecover: bigint;
  try {
    timeToRecover = await rm.restore.staticCall(incidentId, actionId);
  } catch (e) {
    const decoded = decodeRevert(e, recovery.interface);
    if (decoded === null) throw e;
    const reason = `${decoded.name}(${decoded.args.map(String).join(", ")})`;
    console.log(`incident ${incidentId}: not restorable now: ${reason}`);
    return { incidentId, actionId, restorable: false, reason };
  }
  console.log(`incident ${incidentId}: restorable now (time to recover ${timeToRecover} s)`);
  if (!args.send) return { incidentId, actionId, restorable: true, timeToRecover };
  await (await rm.restore(incidentId, actionId)).wait();
  const r = await recovery.restorationOf(incidentId);
  console.log(
    `restore sent: ${r.validator} is back in the backup pool; time to recover ${r.timeToRecover} s`,
  );
  return { incidentId, actionId, restorable: true, timeToRecover: r.timeToRecover, restored: true };
});
