import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

/**
 * The network's first accounts under the given names, in order: `const { treasury, alice } =
 * await namedSigners(ethers, ["treasury", "alice"])`. Fails clearly if the network has fewer accounts.
 */
export async function namedSigners<const Names extends readonly string[]>(
  ethers: HardhatEthers,
  names: Names,
): Promise<Record<Names[number], HardhatEthersSigner>> {
  const signers = await ethers.getSigners();
  if (signers.length < names.length) {
    throw new Error(`need ${names.length} accounts (${names.join(", ")}), the network has ${signers.length}`);
  }
  return Object.fromEntries(names.map((name, i) => [name, signers[i]])) as Record<
    Names[number],
    HardhatEthersSigner
  >;
}
