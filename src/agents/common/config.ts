/**
 * Agent configuration: every option is declared once (description, validator, default, example) and read
 * from, in order of precedence: CLI flags (`--rpc-urls value` or `--rpc-urls=value`), environment
 * variables (`HEALNET_RPC_URLS`) and an optional JSON file (`--config file.json` / `HEALNET_CONFIG`, keys
 * spelled like the option names: `rpcUrls`). A bad, missing or unknown option fails at start with a
 * ConfigError that names it, says what is wrong and shows a good example.
 *
 * Secret options (a private key) are read from the environment only — never from the command line,
 * where `ps` shows them, nor from a config file that may be committed — are wrapped in `Secret` (which
 * prints as "[redacted]") and are never echoed in errors. Prefer a key file (`--key-file`).
 */
import { readFileSync, statSync } from "node:fs";
import { inspect } from "node:util";

import { isAddress } from "ethers";

import { isLogLevel, type LogLevel } from "./log.js";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    /** The option's name as declared (camelCase), or the unknown flag/key. */
    readonly option: string,
  ) {
    super(message);
  }
}

/** A value that must not be logged: prints as "[redacted]" everywhere; `reveal()` gives the value. */
export class Secret<T = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [inspect.custom](): string {
    return "[redacted]";
  }
}

export interface OptionSpec<T> {
  description: string;
  /** A good value, as it would be typed on the command line. */
  example: string;
  /** Used when no source gives a value; without a default the option is required. */
  default?: T;
  /** Optional options have no default and may stay undefined. */
  optional?: boolean;
  /** Env only, wrapped in Secret, never echoed. */
  secret?: boolean;
  /** Parses a CLI/env string or a JSON value; throws an Error whose message says what is wrong. */
  parse(raw: unknown): T;
}

export type Spec = Record<string, OptionSpec<unknown>>;

export type ConfigOf<S extends Spec> = {
  [K in keyof S]: S[K] extends OptionSpec<infer T>
    ? S[K]["secret"] extends true
      ? Secret<T> | (S[K]["optional"] extends true ? undefined : never)
      : T | (S[K]["optional"] extends true ? undefined : never)
    : never;
};

/** Declares an option (identity; it exists for type inference). */
export function option<T, const O extends OptionSpec<T>>(spec: O & OptionSpec<T>): O {
  return spec;
}

export function flagName(name: string): string {
  return "--" + name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

export function envName(name: string): string {
  return "HEALNET_" + name.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase();
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
}

/** Loads `spec` from CLI, env and the optional JSON file. Throws ConfigError on the first bad option. */
export function loadConfig<S extends Spec>(spec: S, sources: ConfigSources = {}): ConfigOf<S> {
  const argv = sources.argv ?? process.argv.slice(2);
  const env = sources.env ?? process.env;
  const byFlag = new Map(Object.keys(spec).map((name) => [flagName(name), name]));

  const cli = new Map<string, string>();
  let configPath: string | undefined = env.HEALNET_CONFIG;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      throw new ConfigError(`unexpected argument "${arg}": options are given as --name value`, arg);
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    let value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
    if (eq === -1) i++;
    if (value === undefined || (eq === -1 && value.startsWith("--"))) {
      throw new ConfigError(
        `option ${flag} needs a value, e.g. ${flag} ${exampleOf(spec, byFlag.get(flag))}`,
        flag,
      );
    }
    if (flag === "--config") {
      configPath = value;
      continue;
    }
    const name = byFlag.get(flag);
    if (name === undefined) {
      throw new ConfigError(
        `unknown option ${flag}; known options: --config, ${[...byFlag.keys()].join(", ")}`,
        flag,
      );
    }
    if (spec[name]!.secret) {
      throw new ConfigError(
        `${flag} is a secret and is not accepted on the command line (other users can read it with ps); ` +
          `set ${envName(name)} instead, or use a key file`,
        name,
      );
    }
    value = value.trim();
    cli.set(name, value);
  }

  let file: Record<string, unknown> = {};
  if (configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(configPath, "utf8");
    } catch (error) {
      throw new ConfigError(`cannot read config file ${configPath}: ${(error as Error).message}`, "config");
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      file = parsed as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(
        `config file ${configPath} is not a JSON object (${(error as Error).message}); example: {"rpcUrls": "http://127.0.0.1:8545"}`,
        "config",
      );
    }
    for (const key of Object.keys(file)) {
      if (!(key in spec)) {
        throw new ConfigError(
          `unknown key "${key}" in ${configPath}; known keys: ${Object.keys(spec).join(", ")}`,
          key,
        );
      }
      if (spec[key]!.secret) {
        throw new ConfigError(
          `"${key}" is a secret and is not read from config files; set ${envName(key)}`,
          key,
        );
      }
    }
  }

  const out: Record<string, unknown> = {};
  for (const [name, opt] of Object.entries(spec)) {
    let raw: unknown;
    let from: string;
    if (cli.has(name)) {
      raw = cli.get(name);
      from = flagName(name);
    } else if (env[envName(name)] !== undefined && env[envName(name)] !== "") {
      raw = env[envName(name)]!.trim();
      from = envName(name);
    } else if (name in file) {
      raw = file[name];
      from = `"${name}" in ${configPath}`;
    } else if (opt.default !== undefined || opt.optional) {
      out[name] = opt.default;
      continue;
    } else {
      throw new ConfigError(
        `missing required option ${flagName(name)} (${opt.description}); set it with ${flagName(name)} or ` +
          `${envName(name)}, e.g. ${opt.secret ? `${envName(name)}=${opt.example}` : `${flagName(name)} ${opt.example}`}`,
        name,
      );
    }
    let value: unknown;
    try {
      value = opt.parse(raw);
    } catch (error) {
      const shown = opt.secret ? "[redacted]" : JSON.stringify(raw);
      const example = opt.secret ? `${envName(name)}=${opt.example}` : `${flagName(name)} ${opt.example}`;
      throw new ConfigError(
        `invalid ${flagName(name)} (from ${from}): ${shown} ${(error as Error).message}. Example: ${example}`,
        name,
      );
    }
    out[name] = opt.secret ? new Secret(value) : value;
  }
  return out as ConfigOf<S>;
}

/** One line per option: flag, env var, description, default, example (for `--help`). */
export function describeOptions(spec: Spec): string {
  return Object.entries(spec)
    .map(([name, o]) => {
      const where = o.secret ? envName(name) : `${flagName(name)} / ${envName(name)}`;
      const def =
        o.default !== undefined ? ` (default ${String(o.default)})` : o.optional ? "" : " (required)";
      return `${where}\n    ${o.description}${def}; e.g. ${o.example}`;
    })
    .join("\n");
}

function exampleOf(spec: Spec, name: string | undefined): string {
  return name !== undefined && spec[name] ? spec[name].example : "<value>";
}

// ---------------------------------------------------------------------------------------------------------
// Validators: each returns a parse function that throws "is not …" / "must be …" (the value is prefixed).

const asString = (raw: unknown): string => {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "bigint" || typeof raw === "boolean") return String(raw);
  throw new Error("must be a string or number");
};

export const v = {
  string(): (raw: unknown) => string {
    return (raw) => {
      const s = asString(raw);
      if (s === "") throw new Error("must not be empty");
      return s;
    };
  },

  int(bounds: { min?: number; max?: number } = {}): (raw: unknown) => number {
    return (raw) => {
      const s = asString(raw);
      if (!/^-?\d+$/.test(s)) throw new Error("is not an integer");
      const n = Number(s);
      if (!Number.isSafeInteger(n)) throw new Error("is too large");
      if (bounds.min !== undefined && n < bounds.min) throw new Error(`must be at least ${bounds.min}`);
      if (bounds.max !== undefined && n > bounds.max) throw new Error(`must be at most ${bounds.max}`);
      return n;
    };
  },

  /** Milliseconds: a number of ms, or a number with a unit: 500ms, 10s, 5m, 1h. */
  duration(bounds: { minMs?: number; maxMs?: number } = {}): (raw: unknown) => number {
    const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return (raw) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(asString(raw));
      if (!m) throw new Error("is not a duration (a number of ms, or e.g. 500ms, 10s, 5m, 1h)");
      const ms = Math.round(Number(m[1]) * units[m[2] ?? "ms"]!);
      if (bounds.minMs !== undefined && ms < bounds.minMs)
        throw new Error(`must be at least ${bounds.minMs} ms`);
      if (bounds.maxMs !== undefined && ms > bounds.maxMs)
        throw new Error(`must be at most ${bounds.maxMs} ms`);
      return ms;
    };
  },

  /** A chain id (positive integer). */
  chainId(): (raw: unknown) => bigint {
    return (raw) => {
      const s = asString(raw);
      if (!/^\d+$/.test(s) || BigInt(s) === 0n) throw new Error("is not a positive integer chain id");
      return BigInt(s);
    };
  },

  /** An amount of gas price in wei: an integer (wei) or a number with `gwei`. */
  gasPrice(): (raw: unknown) => bigint {
    return (raw) => {
      const s = asString(raw).toLowerCase().replace(/\s+/g, "");
      const m = /^(\d+)(?:\.(\d{1,9}))?(gwei|wei)?$/.exec(s);
      if (!m || (m[2] !== undefined && m[3] !== "gwei"))
        throw new Error("is not a gas price (e.g. 50gwei or 50000000000)");
      if (m[3] === "gwei") return BigInt(m[1]!) * 10n ** 9n + BigInt((m[2] ?? "").padEnd(9, "0"));
      return BigInt(m[1]!);
    };
  },

  /** A comma-separated list (or JSON array) of http(s) URLs, at least one. */
  urls(): (raw: unknown) => string[] {
    return (raw) => {
      const list = Array.isArray(raw) ? raw.map(asString) : asString(raw).split(",");
      const urls = list.map((u) => u.trim()).filter((u) => u !== "");
      if (urls.length === 0) throw new Error("must list at least one URL");
      for (const u of urls) {
        let parsed: URL;
        try {
          parsed = new URL(u);
        } catch {
          throw new Error(`contains "${u}", which is not a URL`);
        }
        if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
          throw new Error(`contains "${u}", which is not an http(s) URL`);
        }
      }
      return urls;
    };
  },

  address(): (raw: unknown) => string {
    return (raw) => {
      const s = asString(raw);
      if (!isAddress(s)) throw new Error("is not an address (0x followed by 40 hex digits)");
      return s;
    };
  },

  /** A 32-byte private key in hex (0x optional). The value never appears in the error. */
  privateKey(): (raw: unknown) => string {
    return (raw) => {
      const s = asString(raw).trim();
      if (!/^(0x)?[0-9a-fA-F]{64}$/.test(s)) throw new Error("is not a private key (32 bytes in hex)");
      return s.startsWith("0x") ? s : "0x" + s;
    };
  },

  bool(): (raw: unknown) => boolean {
    return (raw) => {
      if (typeof raw === "boolean") return raw;
      const s = asString(raw).toLowerCase();
      if (["true", "1", "yes", "on"].includes(s)) return true;
      if (["false", "0", "no", "off"].includes(s)) return false;
      throw new Error("is not a boolean (true or false)");
    };
  },

  oneOf<const T extends string>(values: readonly T[]): (raw: unknown) => T {
    return (raw) => {
      const s = asString(raw);
      if (!(values as readonly string[]).includes(s)) throw new Error(`must be one of ${values.join(", ")}`);
      return s as T;
    };
  },

  logLevel(): (raw: unknown) => LogLevel {
    return (raw) => {
      const s = asString(raw);
      if (!isLogLevel(s)) throw new Error("must be one of debug, info, warn, error");
      return s;
    };
  },

  port(): (raw: unknown) => number {
    const int = v.int({ min: 0, max: 65535 });
    return (raw) => int(raw);
  },
};

/** Options every agent has (spread into an agent's own spec). */
export const commonOptions = {
  rpcUrls: option({
    description: "JSON-RPC endpoints in order of preference, comma-separated; all must be on the same chain",
    example: "http://127.0.0.1:8545,https://rpc.example.org",
    parse: v.urls(),
  }),
  chainId: option({
    description: "expected chain id; the agent refuses to start if an RPC reports another",
    example: "31337",
    parse: v.chainId(),
  }),
  keyFile: option({
    description: "file holding the agent's private key (hex); takes precedence over HEALNET_PRIVATE_KEY",
    example: "/run/secrets/keeper.key",
    optional: true,
    parse: v.string(),
  }),
  privateKey: option({
    description: "the agent's private key (environment only; prefer --key-file)",
    example: "0x<64 hex digits>",
    optional: true,
    secret: true,
    parse: v.privateKey(),
  }),
  intentLog: option({
    description: "SQLite file of the write-ahead intent log (survives restarts)",
    example: "./var/keeper-intents.sqlite",
    default: "./healnet-intents.sqlite",
    parse: v.string(),
  }),
  maxFeePerGas: option({
    description: "hard cap on maxFeePerGas for every transaction, including fee bumps",
    example: "100gwei",
    default: 200n * 10n ** 9n,
    parse: v.gasPrice(),
  }),
  intervalMs: option({
    description: "time between the end of one tick and the start of the next",
    example: "12s",
    default: 12_000,
    parse: v.duration({ minMs: 10 }),
  }),
  rpcTimeoutMs: option({
    description: "timeout of one JSON-RPC request to one endpoint",
    example: "10s",
    default: 10_000,
    parse: v.duration({ minMs: 10 }),
  }),
  metricsPort: option({
    description: "port of the /metrics and /healthz server on 127.0.0.1 (0 = any free port)",
    example: "9464",
    default: 9464,
    parse: v.port(),
  }),
  logLevel: option({
    description: "lowest log level written",
    example: "info",
    default: "info" as LogLevel,
    parse: v.logLevel(),
  }),
};

/**
 * The private key: from the key file if one is configured (trimmed, 0x optional), else from
 * HEALNET_PRIVATE_KEY. Throws ConfigError naming the source (never the key) otherwise.
 */
export function resolvePrivateKey(config: {
  keyFile?: string | undefined;
  privateKey?: Secret | undefined;
}): Secret {
  if (config.keyFile !== undefined) {
    let text: string;
    try {
      // Like ssh: a key file that group or others can read is refused (POSIX only; Windows has no modes).
      const mode = statSync(config.keyFile).mode & 0o777;
      if (process.platform !== "win32" && (mode & 0o077) !== 0) {
        throw new ConfigError(
          `--key-file ${config.keyFile} is readable by others (mode ${mode.toString(8).padStart(4, "0")}); ` +
            `restrict it with: chmod 600 ${config.keyFile}`,
          "keyFile",
        );
      }
      text = readFileSync(config.keyFile, "utf8");
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(
        `cannot read --key-file ${config.keyFile}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
        "keyFile",
      );
    }
    try {
      return new Secret(v.privateKey()(text));
    } catch {
      throw new ConfigError(
        `--key-file ${config.keyFile} does not hold a private key (32 bytes in hex, 0x optional, nothing else). ` +
          `Example content: 0x<64 hex digits>`,
        "keyFile",
      );
    }
  }
  if (config.privateKey !== undefined) return config.privateKey;
  throw new ConfigError(
    `no key: set --key-file (e.g. --key-file /run/secrets/keeper.key) or ${envName("privateKey")}`,
    "keyFile",
  );
}
