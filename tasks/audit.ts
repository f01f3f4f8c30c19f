/** `heal audit verify`: recomputes the AuditLog's hash chain from its events and compares it with the contract. */
import { verifyAuditTrail } from "../src/suite/audit.js";
import { connectSuite, guardianSide, HealError, healAction, parseUint } from "./common.js";

export interface AuditVerifyArgs {
  fromBlock: string;
  addresses: string;
}

export const verify = healAction("audit verify", async (args: AuditVerifyArgs, hre) => {
  const fromBlock = Number(parseUint(args.fromBlock, "--from-block"));
  const c = await connectSuite(hre, args.addresses);
  const { audit } = guardianSide(c);
  const result = await verifyAuditTrail(audit, { fromBlock });
  if (!result.ok) {
    throw new HealError(
      `audit trail MISMATCH at entry ${result.firstMismatchIndex}: ${result.reason} (log ${await audit.getAddress()}, block ${result.toBlock})`,
    );
  }
  console.log(`audit trail ok: ${result.length} entries, head ${result.head} at block ${result.toBlock}`);
  return result;
});
