/**
 * Ignition module of the healnet core: HealToken, then StakeManager, NodeHealth and SelfHealingValidatorSet
 * (linked to the ValidatorSetChecks library), each behind a TransparentUpgradeableProxy initialized in its constructor (its ProxyAdmin owned by the deployer), and
 * the core roles. Same effect as `deployCore` in src/suite/deploy.ts (the deployer is the admin of everything).
 *
 * Parameters (deploy/parameters/<network>.json, under "HealnetCore"): treasury, tokenSupply, minStake,
 * unbondingPeriod, epochLength, health (NodeHealth.Parameters), set (SelfHealingValidatorSet.Parameters).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { DEFAULT_PARAMETERS } from "../../src/suite/parameters.js";
import { proxied, role } from "./proxy.js";

export default buildModule("HealnetCore", (m) => {
  const deployer = m.getAccount(0);
  const d = DEFAULT_PARAMETERS;
  const treasury = m.getParameter("treasury", deployer);
  const tokenSupply = m.getParameter("tokenSupply", d.tokenSupply);
  const minStake = m.getParameter("minStake", d.stake.minStake);
  const unbondingPeriod = m.getParameter("unbondingPeriod", d.stake.unbondingPeriod);
  const epochLength = m.getParameter("epochLength", d.epochLength);
  const healthParameters = m.getParameter("health", { ...d.health });
  const setParameters = m.getParameter("set", { ...d.set });

  const token = m.contract("HealToken", [deployer, tokenSupply]);
  const { contract: stake, proxyAdmin: stakeProxyAdmin } = proxied(m, "StakeManager", [
    deployer,
    token,
    treasury,
    minStake,
    unbondingPeriod,
  ]);
  const { contract: health, proxyAdmin: healthProxyAdmin } = proxied(m, "NodeHealth", [
    deployer,
    healthParameters,
    epochLength,
  ]);
  // The set links ValidatorSetChecks, which keeps its bytecode under the EIP-170 limit.
  const checks = m.library("ValidatorSetChecks");
  const { contract: set, proxyAdmin: setProxyAdmin } = proxied(
    m,
    "SelfHealingValidatorSet",
    [deployer, stake, health, setParameters],
    {
      ValidatorSetChecks: checks,
    },
  );

  // The set slashes and jails through the StakeManager and registers, fences and tracks signers in NodeHealth;
  // the StakeManager tells the set about stake changes.
  m.call(stake, "grantRole", [role("SLASHER_ROLE"), set], { id: "StakeManager_SLASHER_ROLE_set" });
  m.call(stake, "grantRole", [role("JAILER_ROLE"), set], { id: "StakeManager_JAILER_ROLE_set" });
  m.call(stake, "setStakeObserver", [set]);
  m.call(health, "grantRole", [role("REGISTRAR_ROLE"), set], { id: "NodeHealth_REGISTRAR_ROLE_set" });

  return { token, stake, health, set, checks, stakeProxyAdmin, healthProxyAdmin, setProxyAdmin };
});
