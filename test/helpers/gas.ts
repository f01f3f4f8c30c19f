import hre from "hardhat";

/**
 * Gas assertions only mean something on uninstrumented bytecode: `--coverage` inflates every contract.
 * Describe blocks of gas targets are named with GAS_TAG; `npm test` runs them in a separate step without
 * coverage (`npm run test:gas`), and they skip themselves inside the coverage run.
 */
export const GAS_TAG = "[gas]";

export function skipUnderCoverage(ctx: Mocha.Context): void {
  if (hre.globalOptions.coverage) ctx.skip();
}
