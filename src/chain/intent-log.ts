/**
 * A durable write-ahead log of send intents (SQLite through `node:sqlite`, WAL journal,
 * `synchronous = FULL`, so every committed write is on disk before the call returns).
 *
 * The sender writes, in this order:
 *   1. `begin(key)` — the intent, before anything is signed;
 *   2. `recordTx(key, tx)` — the signed transaction (hash, nonce, fees, raw bytes), before broadcasting;
 *   3. `finish(key, outcome)` or `abandon(key, reason)` once the outcome is known.
 * A restarted agent reads the intents still `sent` and looks their transactions up instead of sending
 * again (see sender.ts `reconcile`). An intent key names one action, e.g.
 * `checkHeartbeat:0xabc…:incident-7`: the same key is never sent twice while a transaction for it may
 * still land.
 *
 * One log file belongs to one chain and one sending address; opening it for another refuses.
 */
import type { DatabaseSync as DatabaseSyncType } from "node:sqlite";

export type IntentStatus = "intent" | "sent" | "done" | "abandoned";

export interface TxRecord {
  hash: string;
  nonce: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** The signed transaction, so it can be re-broadcast after a restart. */
  raw: string;
  createdAt: number;
}

export interface IntentOutcome {
  result: "confirmed" | "reverted" | "already-handled" | "rejected";
  txHash?: string;
  blockNumber?: number;
  /** Decoded error name for "already-handled" / "rejected" / "reverted". */
  error?: string;
}

export interface IntentRecord {
  key: string;
  status: IntentStatus;
  createdAt: number;
  updatedAt: number;
  outcome: IntentOutcome | null;
  /** Abandon reason, if any. */
  note: string | null;
  /** Signed transactions in the order they were created (original first, then fee bumps). */
  txs: TxRecord[];
}

let sqlite: typeof import("node:sqlite") | null = null;

/** Loads `node:sqlite`, silencing only its "SQLite is an experimental feature" warning. */
async function loadSqlite(): Promise<typeof import("node:sqlite")> {
  if (sqlite) return sqlite;
  const original = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const message = typeof warning === "string" ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(message)) return;
    return (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    sqlite = await import("node:sqlite");
  } finally {
    process.emitWarning = original;
  }
  return sqlite;
}

export class IntentLogError extends Error {
  override readonly name = "IntentLogError";
}

export class IntentLog {
  readonly #db: DatabaseSyncType;
  readonly #now: () => number;

  private constructor(db: DatabaseSyncType, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Opens (creating if needed) the log at `path` (`:memory:` for a throw-away log) for `chainId` and
   * `sender`. Refuses a log that was written for another chain or address.
   */
  static async open(
    path: string,
    scope: { chainId: bigint; sender: string },
    now: () => number = Date.now,
  ): Promise<IntentLog> {
    const { DatabaseSync } = await loadSqlite();
    const db = new DatabaseSync(path);
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS intents (
        key TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        outcome TEXT,
        note TEXT
      );
      CREATE TABLE IF NOT EXISTS txs (
        hash TEXT PRIMARY KEY,
        intent TEXT NOT NULL REFERENCES intents(key),
        nonce INTEGER NOT NULL,
        max_fee TEXT NOT NULL,
        max_priority_fee TEXT NOT NULL,
        raw TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS txs_by_intent ON txs(intent);
    `);
    const log = new IntentLog(db, now);
    for (const [k, v] of [
      ["chainId", scope.chainId.toString()],
      ["sender", scope.sender.toLowerCase()],
    ] as const) {
      const row = db.prepare("SELECT v FROM meta WHERE k = ?").get(k) as { v: string } | undefined;
      if (row === undefined) {
        db.prepare("INSERT INTO meta (k, v) VALUES (?, ?)").run(k, v);
      } else if (row.v !== v) {
        db.close();
        throw new IntentLogError(`intent log ${path} belongs to ${k} ${row.v}, not ${v}; use another file`);
      }
    }
    return log;
  }

  get(key: string): IntentRecord | null {
    const row = this.#db.prepare("SELECT * FROM intents WHERE key = ?").get(key) as IntentRow | undefined;
    return row === undefined ? null : this.#toRecord(row);
  }

  /** Intents that may have a transaction in flight or were interrupted before signing. */
  unfinished(): IntentRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM intents WHERE status IN ('intent', 'sent') ORDER BY created_at, key")
      .all() as unknown as IntentRow[];
    return rows.map((r) => this.#toRecord(r));
  }

  /**
   * Records the intent before anything is signed. Refuses if a transaction for it may still be in flight
   * (status `sent`) or it is finished: the caller must reconcile or report the outcome instead.
   */
  begin(key: string): IntentRecord {
    const existing = this.get(key);
    if (existing && (existing.status === "sent" || existing.status === "done")) {
      throw new IntentLogError(
        `intent ${key} is ${existing.status}; reconcile it instead of beginning it again`,
      );
    }
    const now = this.#now();
    this.#db
      .prepare(
        `INSERT INTO intents (key, status, created_at, updated_at) VALUES (?, 'intent', ?, ?)
         ON CONFLICT(key) DO UPDATE SET status = 'intent', updated_at = excluded.updated_at, note = NULL`,
      )
      .run(key, now, now);
    return this.get(key)!;
  }

  /** Records a signed transaction (before it is broadcast) and marks the intent `sent`. Atomic. */
  recordTx(key: string, tx: Omit<TxRecord, "createdAt">): void {
    const now = this.#now();
    this.#transaction(() => {
      const updated = this.#db
        .prepare(
          "UPDATE intents SET status = 'sent', updated_at = ? WHERE key = ? AND status IN ('intent', 'sent')",
        )
        .run(now, key);
      if (Number(updated.changes) !== 1)
        throw new IntentLogError(`intent ${key} is not open; cannot record a tx`);
      this.#db
        .prepare(
          // The same bytes can be signed again: an intent abandoned because a lagging node hid its mined
          // transaction, begun again, gets the same nonce (the node's stale count), call and fees. It is the
          // same transaction: the row moves to this intent instead of failing the send.
          `INSERT INTO txs (hash, intent, nonce, max_fee, max_priority_fee, raw, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(hash) DO UPDATE SET intent = excluded.intent, created_at = excluded.created_at`,
        )
        .run(
          tx.hash,
          key,
          tx.nonce,
          tx.maxFeePerGas.toString(),
          tx.maxPriorityFeePerGas.toString(),
          tx.raw,
          now,
        );
    });
  }

  /**
   * The highest block any finished intent's transaction was recorded mined in (0 if none): a node whose
   * head is below it has not seen that transaction yet (see sender.ts, stale heads).
   */
  highestBlock(): number {
    const row = this.#db
      .prepare(
        "SELECT MAX(CAST(json_extract(outcome, '$.blockNumber') AS INTEGER)) AS b FROM intents WHERE status = 'done'",
      )
      .get() as { b: number | bigint | null } | undefined;
    return row?.b === null || row?.b === undefined ? 0 : Number(row.b);
  }

  /**
   * A finished intent whose transaction's receipt is gone (the block was reorganised away): back to
   * `sent`, outcome cleared, so the next send reconciles it (re-broadcasts the same signed transaction,
   * or abandons it if its nonce was taken).
   */
  reopen(key: string, note: string): void {
    this.#db
      .prepare(
        "UPDATE intents SET status = 'sent', outcome = NULL, note = ?, updated_at = ? WHERE key = ? AND status = 'done'",
      )
      .run(note, this.#now(), key);
  }

  /** Final outcome: the intent will never be sent again. */
  finish(key: string, outcome: IntentOutcome): void {
    this.#db
      .prepare("UPDATE intents SET status = 'done', outcome = ?, updated_at = ? WHERE key = ?")
      .run(JSON.stringify(outcome), this.#now(), key);
  }

  /**
   * Nothing for this intent is in flight any more (never signed, or every transaction's nonce was taken
   * by another transaction) and it did not succeed: a later send may try again.
   */
  abandon(key: string, note: string): void {
    this.#db
      .prepare("UPDATE intents SET status = 'abandoned', note = ?, updated_at = ? WHERE key = ?")
      .run(note, this.#now(), key);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #transaction(fn: () => void): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      fn();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #toRecord(row: IntentRow): IntentRecord {
    const txs = this.#db
      .prepare("SELECT * FROM txs WHERE intent = ? ORDER BY created_at, rowid")
      .all(row.key) as unknown as TxRow[];
    return {
      key: row.key,
      status: row.status as IntentStatus,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as IntentOutcome),
      note: row.note,
      txs: txs.map((t) => ({
        hash: t.hash,
        nonce: Number(t.nonce),
        maxFeePerGas: BigInt(t.max_fee),
        maxPriorityFeePerGas: BigInt(t.max_priority_fee),
        raw: t.raw,
        createdAt: Number(t.created_at),
      })),
    };
  }
}

interface IntentRow {
  key: string;
  status: string;
  created_at: number | bigint;
  updated_at: number | bigint;
  outcome: string | null;
  note: string | null;
}

interface TxRow {
  hash: string;
  intent: string;
  nonce: number | bigint;
  max_fee: string;
  max_priority_fee: string;
  raw: string;
  created_at: number | bigint;
}
