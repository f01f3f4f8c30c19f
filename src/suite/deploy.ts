/**
 * Deploys the healnet core suite — HealToken, StakeManager, NodeHealth and SelfHealingValidatorSet, the
 * last three behind ERC-1967 proxies — and wires their roles. Shared by tests, the bench, the simulation
 * and the tasks, so that every one of them runs the same deployment.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type {
  HealToken,
  NodeHealth,
  SelfHealingValidatorSet,
  StakeManager,
} from "../../types/ethers-contracts/index.js";
import { DEFAULT_PARAMETERS, type SuiteParameters } from "./parameters.js";

export interface CoreSuite {
  token: HealToken;
  stake: StakeManager;
  health: NodeHealth;
  set: SelfHealingValidatorSet;
  admin: HardhatEthersSigner;
  treasury: string;
  parameters: SuiteParameters;
}

export interface DeployCoreOptions {
  /** Holds every admin and parameter role, and the token supply. Defaults to the first account. */
  admin?: HardhatEthersSigner;
  /** Receives slashed stake. Defaults to the admin. */
  treasury?: string;
  parameters?: SuiteParameters;
}

async function deployBehindProxy(
  ethers: HardhatEthers,
  admin: HardhatEthersSigner,
  name: string,
  initArgs: unknown[],
  libraries: Record<string, string> = {},
): Promise<string> {
  const implementation = await ethers.deployContract(name, [], { signer: admin, libraries });
  await implementation.waitForDeployment();
  const initData = implementation.interface.encodeFunctionData("initialize", initArgs);
  const proxy = await ethers.deployContract(
    "ERC1967Proxy",
    [await implementation.getAddress(), initData],
    admin,
  );
  await proxy.waitForDeployment();
  return await proxy.getAddress();
}

export async function deployCore(ethers: HardhatEthers, options: DeployCoreOptions = {}): Promise<CoreSuite> {
  const parameters = options.parameters ?? DEFAULT_PARAMETERS;
  const admin = options.admin ?? (await ethers.getSigners())[0];
  if (admin === undefined) throw new Error("deployCore: the network has no accounts");
  const treasury = options.treasury ?? admin.address;

  const token = await ethers.deployContract("HealToken", [admin.address, parameters.tokenSupply], admin);
  await token.waitForDeployment();

  const stakeAddress = await deployBehindProxy(ethers, admin, "StakeManager", [
    admin.address,
    await token.getAddress(),
    treasury,
    parameters.stake.minStake,
    parameters.stake.unbondingPeriod,
  ]);
  const healthAddress = await deployBehindProxy(ethers, admin, "NodeHealth", [
    admin.address,
    parameters.health,
    parameters.epochLength,
  ]);
  // The set links the external library ValidatorSetChecks (its evidence, appeal and parameter checks),
  // which keeps the set's bytecode under the EIP-170 limit.
  const checks = await ethers.deployContract("ValidatorSetChecks", [], admin);
  await checks.waitForDeployment();
  const setAddress = await deployBehindProxy(
    ethers,
    admin,
    "SelfHealingValidatorSet",
    [admin.address, stakeAddress, healthAddress, parameters.set],
    { ValidatorSetChecks: await checks.getAddress() },
  );

  const stake = await ethers.getContractAt("StakeManager", stakeAddress, admin);
  const health = await ethers.getContractAt("NodeHealth", healthAddress, admin);
  const set = await ethers.getContractAt("SelfHealingValidatorSet", setAddress, admin);

  // The validator set slashes and jails through the StakeManager, and registers, fences and tracks
  // signers in NodeHealth; the StakeManager tells the set about stake changes.
  await (await stake.grantRole(await stake.SLASHER_ROLE(), setAddress)).wait();
  await (await stake.grantRole(await stake.JAILER_ROLE(), setAddress)).wait();
  await (await stake.setStakeObserver(setAddress)).wait();
  await (await health.grantRole(await health.REGISTRAR_ROLE(), setAddress)).wait();

  return { token: token as unknown as HealToken, stake, health, set, admin, treasury, parameters };
}
