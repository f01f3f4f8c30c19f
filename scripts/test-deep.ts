/**
 * `npm run test:deep`: the Solidity tests with the deep profile (fuzz 10,000 runs, invariants 1,000 × 500)
 * and a random fuzz seed, printed first so a failure can be replayed with
 * `HEALNET_FUZZ_SEED=<seed> npx hardhat test solidity --test-profile deep`.
 * Extra arguments are passed to `hardhat test solidity` (e.g. `-- --grep StakeManager`).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

const seed = process.env.HEALNET_FUZZ_SEED ?? `0x${randomBytes(16).toString("hex")}`;
console.log(`deep fuzzing with seed ${seed}`);
const result = spawnSync(
  "npx",
  ["hardhat", "test", "solidity", "--test-profile", "deep", ...process.argv.slice(2)],
  {
    stdio: "inherit",
    env: { ...process.env, HEALNET_FUZZ_SEED: seed },
  },
);
console.log(`deep fuzzing seed was ${seed}`);
process.exit(result.status ?? 1);
