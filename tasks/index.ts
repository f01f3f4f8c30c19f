/**
 * The `heal` task namespace, registered in hardhat.config.ts (`tasks: healTasks`). Each task is a thin
 * wrapper over src/ whose action is loaded lazily, so the config stays fast to load.
 *
 * To add a task (the agents' `heal keeper|sidecar|orchestrator`, `heal simulate`): write its action module
 * (default export, or a named export picked with `.then`), wrap the action with `healAction` from
 * tasks/common.ts so that a bad argument is one line on stderr and exit code 1, and append its definition to
 * `healTasks` below.
 */
import { emptyTask, task } from "hardhat/config";
import type { TaskDefinition } from "hardhat/types/tasks";

const addresses = {
  name: "addresses",
  description: "Addresses JSON file (default: deploy/deployments/chain-<id>/deployed_addresses.json)",
  defaultValue: "",
} as const;
const from = {
  name: "from",
  description: "Sending account, one of the network's accounts (default: the first)",
  defaultValue: "",
} as const;

export const healTasks: TaskDefinition[] = [
  emptyTask("heal", "healnet: deploy, inspect and operate the suite").build(),

  task(
    ["heal", "deploy"],
    "Deploy the suite with Ignition (deploy/parameters/<network>.json), then check its status",
  )
    .addOption({ name: "module", description: "suite | governance | core", defaultValue: "suite" })
    .addOption({
      name: "parameters",
      description: "Parameter file (default: deploy/parameters/<network>.json)",
      defaultValue: "",
    })
    .addOption({
      name: "deploymentDir",
      description: "Journal directory (default: deploy/deployments/chain-<id>)",
      defaultValue: "",
    })
    .setAction(() => import("./deploy.js"))
    .build(),

  task(["heal", "status"], "Table of validators: state, liveness, heartbeat age, uptime, stake, jail")
    .addOption(addresses)
    .addOption({ name: "backups", description: "Most backups to list", defaultValue: "50" })
    .addOption({
      name: "incidents",
      description: "Newest incidents scanned for pending slashes",
      defaultValue: "100",
    })
    .setAction(() => import("./status.js"))
    .build(),

  task(["heal", "heartbeat"], "Send one heartbeat from a registered signer key (--from)")
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./heartbeat.js"))
    .build(),

  task(["heal", "check"], "Show one validator's liveness; with --send, call checkHeartbeat on it")
    .addPositionalArgument({ name: "validator", description: "The validator's address" })
    .addFlag({ name: "send", description: "Call the permissionless checkHeartbeat(validator)" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./check.js"))
    .build(),

  task(
    ["heal", "restore"],
    "Whether the validator jailed by an incident can be restored now; with --send, call RecoveryManager.restore",
  )
    .addPositionalArgument({ name: "incidentId", description: "The incident that jailed the validator" })
    .addOption({
      name: "action",
      description:
        "A succeeded Resync / Reprovision action id as the proof (default: the incident's own report)",
      defaultValue: "0",
    })
    .addFlag({ name: "send", description: "Call the permissionless restore(incidentId, actionId)" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./restore.js"))
    .build(),

  emptyTask(["heal", "guardian"], "The guardian council: propose, approve, execute, list").build(),
  task(
    ["heal", "guardian", "propose"],
    "Propose a council action, e.g. `Pause 3600` or `ForceReplace <validator>`",
  )
    .addPositionalArgument({
      name: "action",
      description:
        "Pause, Unpause, Resync, Reprovision, Forgive, ForceReplace, ApproveKeyRotation, UpdateParameters, ChangeGuardians, AttestSnapshot, CancelTimelockOperation",
    })
    .addVariadicArgument({ name: "values", description: "The action's arguments", defaultValue: [] })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./guardian.js").then((m) => ({ default: m.propose })))
    .build(),
  task(["heal", "guardian", "approve"], "Approve a proposal as a guardian (--from)")
    .addPositionalArgument({ name: "id", description: "Proposal id" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./guardian.js").then((m) => ({ default: m.approve })))
    .build(),
  task(["heal", "guardian", "execute"], "Execute a Ready proposal (anyone)")
    .addPositionalArgument({ name: "id", description: "Proposal id" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./guardian.js").then((m) => ({ default: m.execute })))
    .build(),
  task(["heal", "guardian", "list"], "List the newest proposals")
    .addOption({
      name: "state",
      description: "Only this state (Collecting, Queued, Ready, ...)",
      defaultValue: "",
    })
    .addOption({ name: "limit", description: "Most proposals to list", defaultValue: "20" })
    .addOption(addresses)
    .setAction(() => import("./guardian.js").then((m) => ({ default: m.list })))
    .build(),

  emptyTask(["heal", "audit"], "The audit log").build(),
  task(["heal", "audit", "verify"], "Recompute the AuditLog hash chain from its events and compare")
    .addOption({
      name: "fromBlock",
      description: "First block to read (the log's deployment block)",
      defaultValue: "0",
    })
    .addOption(addresses)
    .setAction(() => import("./audit.js").then((m) => ({ default: m.verify })))
    .build(),

  emptyTask(["heal", "snapshot"], "The snapshot registry: propose, attest, list").build(),
  task(["heal", "snapshot", "propose"], "Propose a state snapshot (pays the bond in HEAL)")
    .addOption({ name: "height", description: "Block height", defaultValue: "" })
    .addOption({ name: "blockHash", description: "Block hash (bytes32)", defaultValue: "" })
    .addOption({ name: "stateRoot", description: "State root (bytes32)", defaultValue: "" })
    .addOption({ name: "contentHash", description: "Hash of the snapshot file (bytes32)", defaultValue: "" })
    .addOption({ name: "cid", description: "Content identifier of the snapshot file", defaultValue: "" })
    .addOption({ name: "size", description: "Size in bytes", defaultValue: "" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./snapshot.js").then((m) => ({ default: m.propose })))
    .build(),
  task(["heal", "snapshot", "attest"], "Attest a snapshot as an active validator, or --as-guardian")
    .addPositionalArgument({ name: "id", description: "Snapshot id" })
    .addFlag({ name: "asGuardian", description: "Attest as a guardian" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./snapshot.js").then((m) => ({ default: m.attest })))
    .build(),
  task(["heal", "snapshot", "list"], "List the newest snapshots")
    .addOption({ name: "limit", description: "Most snapshots to list", defaultValue: "20" })
    .addOption(addresses)
    .setAction(() => import("./snapshot.js").then((m) => ({ default: m.list })))
    .build(),

  emptyTask(["heal", "sentinel"], "The sentinel pool (SentinelRegistry): list, add, check").build(),
  task(["heal", "sentinel", "list"], "List the sentinels: endpoint, liveness, served")
    .addOption(addresses)
    .setAction(() => import("./sentinel.js").then((m) => ({ default: m.list })))
    .build(),
  task(["heal", "sentinel", "add"], "Add a sentinel and register its heartbeat signer (CURATOR_ROLE)")
    .addPositionalArgument({ name: "sentinel", description: "The sentinel's id (its NodeHealth key)" })
    .addOption({ name: "signer", description: "Its heartbeat signer (never used before)", defaultValue: "" })
    .addOption({ name: "operator", description: "Who runs it (empty: --from)", defaultValue: "" })
    .addOption({ name: "endpoint", description: "Where recovering nodes reach it", defaultValue: "" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./sentinel.js").then((m) => ({ default: m.add })))
    .build(),
  task(["heal", "sentinel", "check"], "Drop silent sentinels and restore live ones (permissionless)")
    .addPositionalArgument({ name: "sentinel", description: "One sentinel (empty: all)", defaultValue: "" })
    .addOption(from)
    .addOption(addresses)
    .setAction(() => import("./sentinel.js").then((m) => ({ default: m.check })))
    .build(),

  emptyTask(
    ["heal", "upgrade"],
    "Upgrades: rehearse one on a fork before doing it (docs/upgrades.md)",
  ).build(),
  task(
    ["heal", "upgrade", "rehearse"],
    "Fork the network on a local anvil, upgrade there, check the invariants and a healing drill: GO / NO-GO",
  )
    .addOption({
      name: "contract",
      description: "The proxy to upgrade: StakeManager, NodeHealth, SelfHealingValidatorSet, AuditLog, …",
      defaultValue: "",
    })
    .addOption({
      name: "implementation",
      description: "The new implementation's contract name (default: --contract's current source)",
      defaultValue: "",
    })
    .addOption({
      name: "migration",
      description: "A no-argument migration function called by upgradeAndCall (e.g. migrateToV2)",
      defaultValue: "",
    })
    .addOption({
      name: "forkUrl",
      description: "JSON-RPC URL to fork (default: the --network's url)",
      defaultValue: "",
    })
    .addOption({
      name: "rounds",
      description:
        "Intervals of healthy heartbeats in the healing drill before a validator crashes (0 .. 50)",
      defaultValue: "3",
    })
    .addOption({
      name: "auditFromBlock",
      description: "First block of the audit trail (the AuditLog's deployment block)",
      defaultValue: "0",
    })
    .addFlag({ name: "skipLayout", description: "Skip the storage-layout check (~1 min of solc-js)" })
    .addOption({
      name: "proposer",
      description:
        "Under governance: the timelock's PROPOSER_ROLE holder to impersonate (default: the governor, or found in RoleGranted events)",
      defaultValue: "",
    })
    .addOption({
      name: "executor",
      description:
        "Under governance: the EXECUTOR_ROLE holder that executes (default: anyone if the role is open, else found like --proposer)",
      defaultValue: "",
    })
    .addOption({
      name: "maxDelay",
      description:
        "Under governance: the largest acceptable timelock delay in seconds (a larger one is NO-GO)",
      defaultValue: "",
    })
    .addOption(addresses)
    .setAction(() => import("./upgrade.js").then((m) => ({ default: m.rehearse })))
    .build(),

  task(["heal", "simulate"], "Run the chaos simulation of npm start on this network (docs/simulation.md)")
    .addOption({ name: "validators", description: "Validators wanting a seat (empty: 21)", defaultValue: "" })
    .addOption({ name: "backups", description: "Extra backup candidates (empty: 5)", defaultValue: "" })
    .addOption({
      name: "duration",
      description: "Simulated time: 3600, 15m, 1h (empty: 1h)",
      defaultValue: "",
    })
    .addOption({ name: "seed", description: "Same seed, same figures (empty: 1)", defaultValue: "" })
    .addOption({ name: "scenario", description: "A JSON scenario file", defaultValue: "" })
    .addOption({ name: "out", description: "Report directory (empty: reports/)", defaultValue: "" })
    .addFlag({ name: "json", description: "Print the summary as JSON" })
    .setAction(() => import("./simulate.js"))
    .build(),
];
