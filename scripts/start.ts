/**
 * `npm start`: the main job. Until the chaos simulation lands (src/sim), it deploys the suite on the
 * embedded Hardhat network and prints its status.
 */
import { network } from "hardhat";

const { ethers } = await network.getOrCreate();
const [deployer] = await ethers.getSigners();
if (deployer === undefined) throw new Error("the embedded network has no accounts");

const supply = 1_000_000n * 10n ** 18n;
const token = await ethers.deployContract("HealToken", [deployer.address, supply]);
await token.waitForDeployment();

console.log("healnet — suite deployed on the embedded network");
console.table([
  {
    contract: "HealToken",
    address: await token.getAddress(),
    symbol: await token.symbol(),
    totalSupply: ethers.formatEther(await token.totalSupply()),
  },
]);
