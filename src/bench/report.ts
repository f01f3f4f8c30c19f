/** Rows and tables of `npm run bench`. */

export interface BenchRow {
  operation: string;
  backups: number;
  items: number;
  gas: number;
  /** What exactly was measured, where the operation name does not say it (guardian and audit rows). */
  note?: string;
}

type Cell = string | number;

/** A plain-text table with right-aligned numbers. */
export function formatRows(rows: readonly object[], columns?: readonly string[]): string {
  if (rows.length === 0) return "(no rows)";
  const cols = columns ?? Object.keys(rows[0] as object);
  const cell = (row: object, col: string): string => {
    const value = (row as Record<string, Cell | undefined>)[col];
    return typeof value === "number" ? value.toLocaleString("en-US") : String(value ?? "");
  };
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (/^[\d,.×-]+$/.test(v) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join("  ");
  return [
    line([...cols]),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r, c)))),
  ].join("\n");
}

/** For each operation (and batch size), the gas at the smallest and largest pool and their ratio. */
export function ratioRows(
  rows: readonly BenchRow[],
): { operation: string; smallest: number; largest: number; ratio: string }[] {
  const groups = new Map<string, BenchRow[]>();
  for (const row of rows) {
    const key =
      row.operation === "heartbeatBatch/perValidator" ? `${row.operation} ×${row.items}` : row.operation;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups].map(([operation, group]) => {
    const sorted = [...group].sort((a, b) => a.backups - b.backups);
    const first = sorted[0] as BenchRow;
    const last = sorted[sorted.length - 1] as BenchRow;
    return { operation, smallest: first.gas, largest: last.gas, ratio: (last.gas / first.gas).toFixed(3) };
  });
}

/** The committed gas snapshot: `npm run gas:snapshot` writes it, the [gas] tests compare against it. */
export const SNAPSHOT_SIZES = [10, 100];
/** Gas may drift by this share (calldata costs depend on the zero bytes of block hashes, which vary). */
export const SNAPSHOT_TOLERANCE = 0.01;

export interface SnapshotDiff {
  row: BenchRow;
  snapshot: number | undefined;
  /** The measured gas exceeds the snapshot by more than the tolerance, or the row is new. */
  regressed: boolean;
}

export function rowKey(row: Pick<BenchRow, "operation" | "backups" | "items">): string {
  return `${row.operation}@${row.backups}x${row.items}`;
}

export function compareToSnapshot(rows: readonly BenchRow[], snapshot: readonly BenchRow[]): SnapshotDiff[] {
  const stored = new Map(snapshot.map((r) => [rowKey(r), r.gas]));
  return rows.map((row) => {
    const previous = stored.get(rowKey(row));
    const regressed = previous === undefined || row.gas > previous * (1 + SNAPSHOT_TOLERANCE);
    return { row, snapshot: previous, regressed };
  });
}
