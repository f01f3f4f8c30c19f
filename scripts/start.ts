/**
 * `npm start`: the main job. Until the chaos simulation lands (src/sim), it runs one healing episode on the
 * embedded Hardhat network with the real contracts: 7 active validators and 3 backups heartbeat; one
 * validator's node crashes; after `heartbeatInterval + gracePeriod` a bystander calls the permissionless
 * `checkHeartbeat`, which jails it and promotes the best ready backup in the same block; after the appeal
 * window anyone executes the downtime slash and the bystander claims its capped reward. It prints the set
 * before and after, the incident's timeline from on-chain timestamps, and checks stake conservation.
 */
import { network } from "hardhat";

import { deployCore } from "../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../src/suite/fleet.js";
import { withParameters } from "../src/suite/parameters.js";
import { validatorRows } from "../src/suite/status.js";

const TOKEN = 10n ** 18n;
const ACTIVE = 7;
const BACKUPS = 3;

const { ethers, networkHelpers } = await network.getOrCreate();
const [, bystander] = await ethers.getSigners();
if (bystander === undefined) throw new Error("the embedded network has too few accounts");

console.log("healnet — one healing episode on the embedded network (the full chaos simulation is coming)\n");
const suite = await deployCore(ethers, {
  parameters: withParameters({ set: { maxActive: ACTIVE, minActive: 4 } }),
});
const stakes = Array.from({ length: ACTIVE + BACKUPS }, (_, i) => (20_000n - 1_000n * BigInt(i)) * TOKEN);
const operators = await createOperators(ethers, suite, stakes, "healnet-start");
const all = operators.map((op) => op.account.address);
await heartbeatAll(suite, operators);
await (await suite.set.fillVacancies(ACTIVE)).wait();
console.log(
  `deployed: StakeManager ${await suite.stake.getAddress()}, NodeHealth ${await suite.health.getAddress()},`,
);
console.log(`          SelfHealingValidatorSet ${await suite.set.getAddress()}\n`);
console.table(await validatorRows(suite, all));

const { heartbeatInterval, gracePeriod } = suite.parameters.health;
const victim = operators[2] as Operator;
const alive = operators.filter((op) => op !== victim);
const crashedAt = (await ethers.provider.getBlock("latest"))?.timestamp ?? 0;
console.log(
  `\n${victim.account.address} crashes at t=${crashedAt}; the others keep heartbeating every ${heartbeatInterval} s`,
);
const overdueAt = await suite.set.overdueAt(victim.account.address);
// The others heartbeat every interval until the victim is about to be overdue; the bystander checks in the
// first block after it is.
const latest = async (): Promise<bigint> =>
  BigInt((await ethers.provider.getBlock("latest"))?.timestamp ?? 0);
while ((await latest()) + BigInt(heartbeatInterval) < overdueAt) {
  await networkHelpers.time.increase(heartbeatInterval);
  await heartbeatAll(suite, alive);
}
if ((await latest()) < overdueAt) await networkHelpers.time.setNextBlockTimestamp(overdueAt + 1n);
const tx = await suite.set.connect(bystander).checkHeartbeat(victim.account.address);
const receipt = await tx.wait();
const incidentId = await suite.set.incidentCount();
const incident = await suite.set.incident(incidentId);
console.log(`a bystander calls checkHeartbeat (gas ${receipt?.gasUsed}): incident ${incidentId} opened`);
console.log(
  `  overdue after t=${overdueAt}, detected at t=${incident.detectedAt} (block ${incident.detectedBlock})`,
);
console.log(`  replaced by ${incident.replacement} at t=${incident.replacedAt} — the same block`);

await networkHelpers.time.increase(suite.parameters.set.appealWindow);
await heartbeatAll(suite, alive);
await (await suite.set.executeSlash(incidentId)).wait();
const reward = await suite.stake.rewardOf(bystander.address);
await (await suite.stake.connect(bystander).claimReward(bystander.address)).wait();
console.log(
  `after the ${suite.parameters.set.appealWindow} s appeal window: slash executed, bystander claimed ${ethers.formatEther(reward)} HEAL\n`,
);
console.table(await validatorRows(suite, all));

const totals = await suite.stake.totals();
const conserved = totals.deposited === totals.bonded + totals.unbonding + totals.withdrawn + totals.slashed;
console.log(
  `\nstake conserved (deposited = bonded + unbonding + withdrawn + slashed): ${conserved ? "yes" : "NO"}`,
);
console.log(
  `time to detect: ${incident.detectedAt - overdueAt} s after overdue; time to heal: ${incident.replacedAt - incident.detectedAt} s after detection`,
);
if (!conserved) process.exitCode = 1;
