/** Command-line arguments of `npm run bench`. */

export interface BenchArgs {
  json: boolean;
  /** Backup-pool sizes, ascending. */
  sizes: number[];
  /** heartbeatBatch sizes. */
  batchSizes: number[];
  /** Write the rows to this file as the committed gas snapshot. */
  writeSnapshot?: string;
}

export const DEFAULT_SIZES = [10, 100, 1_000, 10_000];
export const DEFAULT_BATCH_SIZES = [1, 10, 100];

export class BenchArgsError extends Error {
  override name = "BenchArgsError";
}

function parseList(option: string, value: string | undefined, max: number): number[] {
  if (value === undefined) throw new BenchArgsError(`${option} needs a value, e.g. ${option} 10,100`);
  const items = value.split(",").map((s) => s.trim());
  const numbers = items.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (numbers.some((n) => !Number.isSafeInteger(n) || n < 1 || n > max)) {
    throw new BenchArgsError(
      `${option} takes positive integers up to ${max}, comma-separated, e.g. ${option} 10,100 (got "${value}")`,
    );
  }
  return [...new Set(numbers)].sort((a, b) => a - b);
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { json: false, sizes: DEFAULT_SIZES, batchSizes: DEFAULT_BATCH_SIZES };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") args.json = true;
    else if (arg === "--sizes") args.sizes = parseList("--sizes", argv[++i], 20_000);
    else if (arg === "--batch") args.batchSizes = parseList("--batch", argv[++i], 200);
    else if (arg === "--write-snapshot") {
      const file = argv[++i];
      if (file === undefined || file.startsWith("--"))
        throw new BenchArgsError(
          "--write-snapshot needs a file, e.g. --write-snapshot gas-snapshots/core.json",
        );
      args.writeSnapshot = file;
    } else
      throw new BenchArgsError(
        `unknown option "${arg}"; options: --json, --sizes 10,100, --batch 1,10,100, --write-snapshot FILE`,
      );
  }
  return args;
}
