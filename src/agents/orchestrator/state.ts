/**
 * The orchestrator's durable state: the log cursor (last block whose logs were read) and the work seen but
 * not yet reported, in a small JSON file written atomically (write a temp file, fsync it, rename it over
 * the old one, fsync the directory), so a crash leaves either the old or the new file, never a torn one.
 * A restarted orchestrator resumes from the cursor with its pending work; the on-chain re-read before each
 * action (and the chain layer's intent log for the report itself) keeps it from reporting twice.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * An incident of a node to heal: a stalled node the validator set asked to heal (`RemediationRequested`), or
 * (`cause: "downtime"`) a managed node that crashed and was jailed (`IncidentOpened`, kind Downtime).
 */
export interface IncidentWork {
  type: "incident";
  id: bigint;
  validator: string;
  /** Absent: a stall remediation request. "downtime": a jailed crashed node (restarted, then reported). */
  cause?: "downtime";
  /** Wall-clock ms when the orchestrator first saw it (time-to-heal starts there). */
  seenAt: number;
  /** Set once the ladder ran: what is to be reported (kept so a failed report is retried, not the ladder). */
  report?: PendingReport;
}

/** A guardian-approved off-chain action (`RecoveryRequested`: Resync or Reprovision). */
export interface ActionWork {
  type: "action";
  id: bigint;
  /** IRecoveryManager.ActionKind: 0 Resync, 1 Reprovision. */
  kind: number;
  validator: string;
  /** Snapshot id (resync), else 0. */
  ref: bigint;
  /** Snapshot CID (resync) or config CID (reprovision), from the event. */
  payload: string;
  seenAt: number;
  report?: PendingReport;
}

export interface PendingReport {
  ok: boolean;
  detailsHash: string;
  /** The canonical JSON whose keccak256 is detailsHash. */
  details: string;
  /** Report attempts that were rejected (the next send uses a fresh intent key). */
  attempts: number;
}

export type Work = IncidentWork | ActionWork;

export interface OrchestratorState {
  /** Last block whose logs were fully read. */
  cursor: bigint;
  pending: Work[];
}

/** Where the state lives. */
export interface StateStore {
  load(): OrchestratorState | undefined;
  save(state: OrchestratorState): void;
}

/** Keeps the state in memory only (tests, the simulation). */
export class MemoryStateStore implements StateStore {
  #json: string | undefined;
  load(): OrchestratorState | undefined {
    return this.#json === undefined ? undefined : decode(this.#json, "memory");
  }
  save(state: OrchestratorState): void {
    this.#json = encode(state, {});
  }
}

/**
 * A JSON file, written atomically. `binding` (the contract addresses and chain id) is written into the
 * file and checked on load: a state file from another deployment is refused, not silently reused.
 */
export class JsonFileStateStore implements StateStore {
  constructor(
    readonly path: string,
    readonly binding: Record<string, string>,
  ) {}

  load(): OrchestratorState | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const raw = JSON.parse(text) as { binding?: Record<string, string> };
    for (const [k, want] of Object.entries(this.binding)) {
      const got = raw.binding?.[k];
      if (got !== undefined && got.toLowerCase() !== want.toLowerCase())
        throw new Error(
          `state file ${this.path} belongs to another deployment (${k} ${got}, expected ${want})`,
        );
    }
    return decode(text, this.path);
  }

  save(state: OrchestratorState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, encode(state, this.binding));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    try {
      const dir = openSync(dirname(this.path), "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Directories cannot be fsync'd on every platform; the rename is still atomic.
    }
  }
}

function encode(state: OrchestratorState, binding: Record<string, string>): string {
  return (
    JSON.stringify(
      { version: 1, binding, cursor: state.cursor, pending: state.pending },
      (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
      2,
    ) + "\n"
  );
}

function decode(text: string, where: string): OrchestratorState {
  const raw = JSON.parse(text) as { version?: number; cursor?: string; pending?: Record<string, unknown>[] };
  if (raw.version !== 1 || typeof raw.cursor !== "string" || !Array.isArray(raw.pending))
    throw new Error(`state file ${where} is not an orchestrator state (version 1)`);
  const pending: Work[] = raw.pending.map((w) => {
    const common = {
      id: BigInt(w.id as string),
      validator: String(w.validator),
      seenAt: Number(w.seenAt),
      ...(w.report ? { report: w.report as PendingReport } : {}),
    };
    if (w.type === "incident")
      return {
        type: "incident",
        ...common,
        ...(w.cause === "downtime" ? { cause: "downtime" as const } : {}),
      };
    if (w.type === "action")
      return {
        type: "action",
        ...common,
        kind: Number(w.kind),
        ref: BigInt(w.ref as string),
        payload: String(w.payload),
      };
    throw new Error(`state file ${where}: unknown work type ${String(w.type)}`);
  });
  return { cursor: BigInt(raw.cursor), pending };
}
