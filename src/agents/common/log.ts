/**
 * JSON line logs: one object per line with `ts`, `level`, `msg`, the logger's bound fields and the call's
 * fields. Values under secret-looking field names (privateKey, secret, password, mnemonic, seed, token,
 * apiKey, authorization...) are replaced by "[redacted]", and so is a raw 32-byte hex value under a bare
 * `key` field (a private key); other `key`s (e.g. the chain layer's intent keys, logged as `intentKey`) are
 * shown. `Secret` values print "[redacted]" themselves. Errors are reduced to name, message and code;
 * bigints become strings.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Lowest level written (default "info"). */
  level?: LogLevel;
  /** Fields on every line, e.g. `{ agent: "keeper" }`. */
  fields?: Record<string, unknown>;
  /** Where lines go (default: process.stdout). Receives one line without the newline. */
  sink?: (line: string) => void;
  now?: () => Date;
}

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LEVELS, value);
}

const SECRET_KEY = /(private.?key|secret|passw(or)?d|mnemonic|seed|api.?key|auth|token$)/i;
/** A raw private key (32 bytes of hex), redacted under a bare `key` field. */
const PRIVATE_KEY_VALUE = /^(0x)?[0-9a-f]{64}$/i;

function isSecretField(key: string, value: unknown): boolean {
  if (key === "" || value === null || value === undefined || typeof value === "boolean") return false;
  if (SECRET_KEY.test(key)) return true;
  return /^key$/i.test(key) && typeof value === "string" && PRIVATE_KEY_VALUE.test(value.trim());
}

export function makeLogger(options: LoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  const sink = options.sink ?? ((line: string) => void process.stdout.write(line + "\n"));
  const now = options.now ?? (() => new Date());
  const bound = options.fields ?? {};

  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const entry = { ts: now().toISOString(), level, msg, ...bound, ...fields };
    let line: string;
    try {
      line = JSON.stringify(entry, replacer);
    } catch (error) {
      line = JSON.stringify({ ts: entry.ts, level, msg, logError: String(error) });
    }
    sink(line);
  };

  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => makeLogger({ ...options, fields: { ...bound, ...fields } }),
  };
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (isSecretField(key, value)) return "[redacted]";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
  }
  return value;
}
