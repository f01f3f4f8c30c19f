/**
 * `heal check <validator>`: one validator's state, liveness and when it becomes overdue; with `--send`, calls
 * the permissionless `checkHeartbeat(validator)` (jails an overdue active validator, pays the caller).
 */
import { decodeRevert } from "../src/chain/errors.js";
import { validatorRows } from "../src/suite/status.js";
import { connectSuite, HealError, healAction, parseAddress, printTable, signerOf } from "./common.js";

export interface CheckArgs {
  validator: string;
  send: boolean;
  from: string;
  addresses: string;
}

export interface CheckResult {
  validator: string;
  state: string;
  overdueAt: bigint;
  overdue: boolean;
  /** With --send: the incident opened, 0n if there was nothing to do. */
  incidentId?: bigint;
}

export default healAction("check", async (args: CheckArgs, hre): Promise<CheckResult> => {
  const validator = parseAddress(args.validator, "validator");
  const c = await connectSuite(hre, args.addresses);
  const { set, health, stake } = c.suite.contracts;
  if ((await set.statusOf(validator)) === 0n) {
    throw new HealError(
      `validator ${validator} is not registered on chain ${c.suite.chainId} (heal status lists them)`,
    );
  }
  const [row] = await validatorRows({ set, health, stake, admin: { provider: c.ethers.provider } }, [
    validator,
  ]);
  const overdueAt = await set.overdueAt(validator);
  const now = BigInt((await c.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
  const overdue = overdueAt > 0n && now > overdueAt;
  printTable([
    {
      validator,
      state: row!.state,
      liveness: row!.liveness,
      "heartbeat age (s)": row!.heartbeatAgeS,
      uptime: row!.uptime,
      stake: row!.stake,
      jailed: row!.jailed,
      "overdue after": overdueAt === 0n ? "-" : String(overdueAt),
      overdue: overdue ? "yes" : "no",
    },
  ]);
  const result: CheckResult = { validator, state: row!.state, overdueAt, overdue };
  if (!args.send) return result;

  const signer = await signerOf(c, args.from);
  try {
    const incidentId = await set.connect(signer).checkHeartbeat.staticCall(validator);
    await (await set.connect(signer).checkHeartbeat(validator)).wait();
    console.log(
      incidentId === 0n
        ? "checkHeartbeat sent: correlated outage, nobody was touched"
        : `checkHeartbeat sent: incident ${incidentId} opened`,
    );
    return { ...result, incidentId };
  } catch (e) {
    // "Not overdue" is an answer, not a failure: there is nothing to do.
    if (decodeRevert(e, set.interface)?.name === "ValidatorSetNotOverdue") {
      console.log("not overdue: nothing to do");
      return { ...result, incidentId: 0n };
    }
    throw e;
  }
});
