/**
 * The healnet suite governed by a DAO: HealnetGuardians (core + guardian side, every role wired) plus
 * docs/governance.md's "Wiring a deployment": a TimelockController (no proposers at first, anyone executes),
 * HealGovernor over HealToken votes as its only proposer and a canceller, the council a canceller too (the guardian
 * veto, docs/upgrades.md), every ProxyAdmin handed to the timelock (the upgrade right), the timelock granted PARAMETER_ROLE
 * of StakeManager, NodeHealth, SelfHealingValidatorSet, RecoveryManager, SnapshotRegistry, StateCommitmentChain and
 * SentinelRegistry (and the registry's CURATOR_ROLE) and
 * DEFAULT_ADMIN_ROLE of those and the AuditLog, then the deployer renouncing its DEFAULT_ADMIN_ROLE on every
 * one of them and on the timelock: afterwards every role change is a proposal. Same effect as
 * `deploySuite(ethers, { governance: true })` (src/suite/deploy.ts).
 *
 * Parameters (under "HealnetGovernance"): timelockDelay (s), votingDelay and votingPeriod (blocks),
 * proposalThreshold (wei of HEAL), quorumPercent.
 *
 *   npx hardhat heal deploy --network sepolia --governance
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Future } from "@nomicfoundation/ignition-core";

import { DEFAULT_PARAMETERS } from "../../src/suite/parameters.js";
import HealnetGuardians from "./HealnetGuardians.js";
import { role } from "./proxy.js";

const ANYONE = "0x0000000000000000000000000000000000000000";

export default buildModule("HealnetGovernance", (m) => {
  const deployer = m.getAccount(0);
  const d = DEFAULT_PARAMETERS.governance;
  const suite = m.useModule(HealnetGuardians);
  const timelock = m.contract("TimelockController", [
    m.getParameter("timelockDelay", d.timelockDelay),
    [],
    [ANYONE],
    deployer,
  ]);
  const governor = m.contract("HealGovernor", [
    suite.token,
    timelock,
    m.getParameter("votingDelay", d.votingDelay),
    m.getParameter("votingPeriod", d.votingPeriod),
    m.getParameter("proposalThreshold", d.proposalThreshold),
    m.getParameter("quorumPercent", d.quorumPercent),
  ]);
  const grants: Future[] = [
    m.call(timelock, "grantRole", [role("PROPOSER_ROLE"), governor], {
      id: "Timelock_PROPOSER_ROLE_governor",
    }),
    m.call(timelock, "grantRole", [role("CANCELLER_ROLE"), governor], {
      id: "Timelock_CANCELLER_ROLE_governor",
    }),
    // The guardian veto over queued operations (upgrades among them): docs/upgrades.md.
    m.call(timelock, "grantRole", [role("CANCELLER_ROLE"), suite.council], {
      id: "Timelock_CANCELLER_ROLE_council",
    }),
  ];

  // The upgrade right: every proxy's ProxyAdmin goes to the timelock (docs/upgrades.md).
  const proxyAdmins = {
    StakeManager: suite.stakeProxyAdmin,
    NodeHealth: suite.healthProxyAdmin,
    SelfHealingValidatorSet: suite.setProxyAdmin,
    AuditLog: suite.auditProxyAdmin,
    SnapshotRegistry: suite.snapshotsProxyAdmin,
    RecoveryManager: suite.recoveryProxyAdmin,
    GuardianCouncil: suite.councilProxyAdmin,
    StateCommitmentChain: suite.stateCommitmentsProxyAdmin,
    SentinelRegistry: suite.sentinelsProxyAdmin,
  };
  for (const [name, proxyAdmin] of Object.entries(proxyAdmins)) {
    grants.push(
      m.call(proxyAdmin, "transferOwnership", [timelock], { id: `${name}_ProxyAdmin_owner_timelock` }),
    );
  }

  const parameterised = {
    StakeManager: suite.stake,
    NodeHealth: suite.health,
    SelfHealingValidatorSet: suite.set,
    RecoveryManager: suite.recovery,
    SnapshotRegistry: suite.snapshots,
    StateCommitmentChain: suite.stateCommitments,
    SentinelRegistry: suite.sentinels,
  };
  for (const [name, contract] of Object.entries(parameterised)) {
    grants.push(
      m.call(contract, "grantRole", [role("PARAMETER_ROLE"), timelock], {
        id: `${name}_PARAMETER_ROLE_timelock`,
      }),
    );
  }
  // Who may add and remove sentinels (docs/access-control.md).
  grants.push(
    m.call(suite.sentinels, "grantRole", [role("CURATOR_ROLE"), timelock], {
      id: "SentinelRegistry_CURATOR_ROLE_timelock",
    }),
  );
  const administered = { ...parameterised, AuditLog: suite.audit };
  for (const [name, contract] of Object.entries(administered)) {
    grants.push(
      m.call(contract, "grantRole", [role("DEFAULT_ADMIN_ROLE"), timelock], {
        id: `${name}_DEFAULT_ADMIN_ROLE_timelock`,
      }),
    );
  }

  // Last, once every grant of this module and of the guardian side went through: the deployer steps down.
  for (const [name, contract] of Object.entries({ ...administered, Timelock: timelock })) {
    m.call(contract, "renounceRole", [role("DEFAULT_ADMIN_ROLE"), deployer], {
      id: `${name}_renounce_DEFAULT_ADMIN_ROLE`,
      after: [HealnetGuardians, ...grants],
    });
  }

  return { ...suite, timelock, governor };
});
