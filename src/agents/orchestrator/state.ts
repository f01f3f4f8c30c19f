/**
 * The orchestrator's durable state: the log cursor (last block whose logs were read) and the work seen but
 * not yet reported, in a small JSON file written atomically (write a temp file, fsync it, rename it over
 * the old one, fsync the directory), so a crash leaves either the old or the new file, never a torn one.
 * A restarted orchestrator resumes from the cursor with its pending work; the on-chain re-read before each
 * action (and the chain layer's intent log for the report itself) keeps it from reporting twice.
 *
 * The cursor is reorg-safe: the state also keeps `checkpoints`, the (number, hash) of the last block of each
 * range read (at most `MAX_CHECKPOINTS`, oldest first, all on one chain; the newest is normally the cursor's
 * block). Before scanning, the orchestrator compares the cursor's hash with the chain's and, when a reorg
 * replaced it, rewinds to the newest checkpoint still on the chain (see orchestrator.ts). A state file of the
 * previous version has no `checkpoints`: it loads with none (the cursor's hash is unknown and taken from the
 * chain on the next tick, so reorgs are noticed from then on).
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

/** A block the orchestrator read up to, by number and hash. */
export interface Checkpoint {
  number: bigint;
  /** The block hash: 0x + 64 hex digits. */
  hash: string;
}

/** The most checkpoints kept (a ring: the oldest is dropped). Bounds the walk back after a reorg. */
export const MAX_CHECKPOINTS = 64;

/** The most recently reported work items kept (a ring: the oldest is dropped). */
export const MAX_RECENTLY_REPORTED = 64;

export interface OrchestratorState {
  /** Last block whose logs were fully read. */
  cursor: bigint;
  pending: Work[];
  /**
   * Recent blocks read up to, oldest first, strictly ascending, at most MAX_CHECKPOINTS, all at or below the
   * cursor and on one chain. Empty or absent (a state of the previous version): the cursor's hash is unknown.
   */
  checkpoints?: Checkpoint[];
  /**
   * The last work items this orchestrator reported (at most MAX_RECENTLY_REPORTED, oldest first), with their
   * report. A rescan after a reorg that reads one of their events again re-checks the report on the new chain
   * (and re-sends the same report under the same intent key if the reorg dropped it) instead of acting on the
   * node again. Absent in a state of the previous version.
   */
  recentlyReported?: Work[];
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
      {
        version: 1,
        binding,
        cursor: state.cursor,
        pending: state.pending,
        checkpoints: state.checkpoints ?? [],
        recentlyReported: state.recentlyReported ?? [],
      },
      (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
      2,
    ) + "\n"
  );
}

function decode(text: string, where: string): OrchestratorState {
  const raw = JSON.parse(text) as {
    version?: number;
    cursor?: string;
    pending?: Record<string, unknown>[];
    checkpoints?: unknown;
    recentlyReported?: unknown;
  };
  if (raw.version !== 1 || typeof raw.cursor !== "string" || !Array.isArray(raw.pending))
    throw new Error(`state file ${where} is not an orchestrator state (version 1)`);
  const pending = raw.pending.map((w) => decodeWork(w, where));
  if (raw.recentlyReported !== undefined && !Array.isArray(raw.recentlyReported))
    throw new Error(`state file ${where}: recentlyReported must be a list of work items`);
  const recentlyReported = ((raw.recentlyReported ?? []) as Record<string, unknown>[])
    .slice(-MAX_RECENTLY_REPORTED)
    .map((w) => decodeWork(w, where));
  const cursor = BigInt(raw.cursor);
  return {
    cursor,
    pending,
    checkpoints: decodeCheckpoints(raw.checkpoints, cursor, where),
    recentlyReported,
  };
}

function decodeWork(w: Record<string, unknown>, where: string): Work {
  const common = {
    id: BigInt(w.id as string),
    validator: String(w.validator),
    seenAt: Number(w.seenAt),
    ...(w.report ? { report: w.report as PendingReport } : {}),
  };
  if (w.type === "incident")
    return {
      type: "incident" as const,
      ...common,
      ...(w.cause === "downtime" ? { cause: "downtime" as const } : {}),
    };
  if (w.type === "action")
    return {
      type: "action" as const,
      ...common,
      kind: Number(w.kind),
      ref: BigInt(w.ref as string),
      payload: String(w.payload),
    };
  throw new Error(`state file ${where}: unknown work type ${String(w.type)}`);
}

const BLOCK_HASH = /^0x[0-9a-fA-F]{64}$/;
const BLOCK_NUMBER = /^(0|[1-9][0-9]{0,19})$/;

/** Absent (a state of the previous version) → []; anything malformed throws naming the file and entry. */
function decodeCheckpoints(raw: unknown, cursor: bigint, where: string): Checkpoint[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new Error(
      `state file ${where}: checkpoints must be a list of {number, hash}, not ${JSON.stringify(raw)}`,
    );
  if (raw.length > MAX_CHECKPOINTS)
    throw new Error(`state file ${where}: ${raw.length} checkpoints, at most ${MAX_CHECKPOINTS} are kept`);
  const out: Checkpoint[] = [];
  raw.forEach((c: unknown, i) => {
    const { number, hash } = (c ?? {}) as { number?: unknown; hash?: unknown };
    if (typeof hash !== "string" || !BLOCK_HASH.test(hash))
      throw new Error(
        `state file ${where}: checkpoint ${i} has a malformed block hash ${JSON.stringify(hash)} ` +
          "(expected 0x and 64 hex digits)",
      );
    if (typeof number !== "string" || !BLOCK_NUMBER.test(number))
      throw new Error(
        `state file ${where}: checkpoint ${i} has a malformed block number ${JSON.stringify(number)} ` +
          "(expected a decimal string)",
      );
    const n = BigInt(number);
    const prev = out.at(-1);
    if ((prev !== undefined && n <= prev.number) || n > cursor)
      throw new Error(
        `state file ${where}: checkpoint ${i} (block ${n}) is out of order (checkpoints ascend, at most the ` +
          `cursor ${cursor})`,
      );
    out.push({ number: n, hash: hash.toLowerCase() });
  });
  return out;
}
