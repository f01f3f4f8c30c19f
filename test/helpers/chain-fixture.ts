import { HDNodeWallet } from "ethers";
import { network } from "hardhat";

/** Hardhat's default development mnemonic: its accounts are funded on the in-process network. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The funded development account `index` as an ethers Wallet (able to sign raw transactions). */
export function devWallet(index: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
}

/**
 * A fresh in-process Hardhat network (isolated from other test files) with a HealToken whose whole
 * supply belongs to `wallet`, so token transfers from it make simple test transactions.
 */
export async function chainFixture(walletIndex = 7) {
  const connection = await network.create();
  const wallet = devWallet(walletIndex);
  const token = await connection.ethers.deployContract("HealToken", [wallet.address, 1_000_000n]);
  return { connection, upstream: connection.provider, token, tokenAddress: await token.getAddress(), wallet };
}
