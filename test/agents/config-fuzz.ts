/**
 * Fuzzing of the agents' configuration parsing (src/agents/common/config.ts) with a seeded PRNG: for every
 * option type, many values that are bad by construction, given on the command line, in the environment and
 * in a JSON config file, must each give a ConfigError that names the option — never another exception, never
 * a value accepted. Random mutations of good values and random command lines must either load or give a
 * ConfigError. A secret's bad value never appears in the message. Seed: HEALNET_FUZZ_SEED (default fixed);
 * a failure prints the seed and the input.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  commonOptions,
  ConfigError,
  envName,
  flagName,
  loadConfig,
  option,
  type Spec,
  v,
} from "../../src/agents/common/config.js";
import { orchestratorSpec } from "../../src/agents/orchestrator/main.js";

const SEED = Number(process.env.HEALNET_FUZZ_SEED ?? 0x6865616c) >>> 0;
const CASES = 150;

/** mulberry32: small, fast, good enough to pick inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const chars = (pool: string, min: number, max: number) =>
    Array.from({ length: int(min, max) }, () => pool[int(0, pool.length - 1)]).join("");
  return { next, int, pick, chars };
}
type Rng = ReturnType<typeof prng>;

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const HEX = "0123456789abcdefABCDEF";
const JUNK = "!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~ \t\u00e9\u4e2d\u{1F600}";
const ANY = LETTERS + DIGITS + JUNK;

/**
 * A string with 1-3 characters from `foreign` inserted among characters of `allowed`, so no parser of
 * `allowed` takes it. Whitespace is left out of `foreign`: values are trimmed, so it would not stay foreign.
 */
function withForeign(r: Rng, allowed: string, foreignPool: string): string {
  const foreign = [...foreignPool].filter((ch) => !/\s/u.test(ch)).join("");
  const body = r.chars(allowed, 0, 8);
  const at = r.int(0, body.length);
  return body.slice(0, at) + r.chars(foreign, 1, 3) + body.slice(at);
}

/** Non-string JSON values a config file can hold where a scalar is expected. */
const BAD_JSON: unknown[] = [null, {}, { a: 1 }, [[1]], [null], [{}]];

interface Case {
  /** The option's parser, as the agents declare it. */
  parse: (raw: unknown) => unknown;
  example: string;
  secret?: boolean;
  /** A value that must be refused. */
  bad(r: Rng): string;
  /** A good value to mutate. */
  good: string;
}

const CASES_BY_TYPE: Record<string, Case> = {
  int: {
    parse: v.int({ min: 1, max: 1000 }),
    example: "5",
    good: "500",
    bad: (r) =>
      r.pick([
        () => withForeign(r, DIGITS, LETTERS + ".,e+ _"),
        () => String(r.int(1001, 1e9)),
        () => "-" + String(r.int(0, 1e9)),
        () => "9".repeat(r.int(17, 40)),
        () => `${r.int(1, 9)}.${r.int(1, 9)}`,
      ])(),
  },
  duration: {
    parse: v.duration({ minMs: 10, maxMs: 3_600_000 }),
    example: "12s",
    good: "250ms",
    bad: (r) =>
      r.pick([
        () => `${r.int(1, 99)}${r.pick(["d", "w", "y", "us", "ns", "sec", "min", "S", "H"])}`,
        () => `-${r.int(1, 99)}s`,
        () => `${r.int(0, 9)}ms`,
        () => `${r.int(2, 99)}h`,
        // No "." (a decimal is a valid duration), no s/m/h (units).
        () => withForeign(r, DIGITS, LETTERS.replace(/[smh]/g, "") + JUNK.replace(".", "")),
      ])(),
  },
  chainId: {
    parse: v.chainId(),
    example: "31337",
    good: "31337",
    bad: (r) =>
      r.pick([
        () => "0".repeat(r.int(1, 5)),
        () => "-" + String(r.int(1, 1e6)),
        () => "0x" + r.chars(HEX, 1, 6),
        () => withForeign(r, DIGITS, LETTERS + JUNK),
      ])(),
  },
  gasPrice: {
    parse: v.gasPrice(),
    example: "50gwei",
    good: "50gwei",
    bad: (r) =>
      r.pick([
        () => `${r.int(0, 99)}.${r.int(1, 9)}`,
        () => `${r.int(0, 99)}.${r.chars(DIGITS, 10, 14)}gwei`,
        () => `-${r.int(1, 99)}gwei`,
        () => `${r.int(1, 99)}${r.pick(["eth", "ether", "gw", "twei", "$"])}`,
        () => withForeign(r, DIGITS, "xyzXYZ!#$%&()*+,-/:;<>?@[]^_{|}~"),
      ])(),
  },
  urls: {
    parse: v.urls(),
    example: "http://127.0.0.1:8545",
    good: "http://127.0.0.1:8545,https://rpc.example.org",
    bad: (r) =>
      r.pick([
        () => `${r.pick(["ftp", "ws", "wss", "file", "javascript", "data"])}://${r.chars(LETTERS, 1, 8)}`,
        () => ",".repeat(r.int(0, 4)),
        () => `http://127.0.0.1:8545,${r.chars(LETTERS, 1, 8)}`,
        () => r.chars(LETTERS + DIGITS, 1, 12),
        () => `http://[${r.chars(LETTERS, 1, 5)}]`,
      ])(),
  },
  address: {
    parse: v.address(),
    example: "0x00000000000000000000000000000000000000aa",
    good: "0x00000000000000000000000000000000000000aa",
    bad: (r) =>
      r.pick([
        () => "0x" + r.chars("0123456789abcdef", 0, 39),
        () => "0x" + r.chars("0123456789abcdef", 41, 64),
        () => "0x" + withForeign(r, "0123456789abcdef", "ghijklmnopqrstuvwxyz!- ").padEnd(40, "0"),
        () => r.chars(LETTERS, 1, 20),
      ])(),
  },
  privateKey: {
    parse: v.privateKey(),
    example: "0x<64 hex digits>",
    secret: true,
    good: "0x" + "1".repeat(64),
    bad: (r) =>
      r.pick([
        () => "0x" + r.chars(HEX, 0, 63),
        () => "0x" + r.chars(HEX, 65, 80),
        () => "0x" + withForeign(r, HEX, "ghijklmnopqrstuvwxyz!-").padEnd(64, "0"),
        () => r.chars(LETTERS, 1, 30),
      ])(),
  },
  bool: {
    parse: v.bool(),
    example: "true",
    good: "true",
    bad: (r) =>
      r.pick([
        () => r.pick(["2", "-1", "tru", "yes!", "nope", "t", "f", "y", "n", "enabled", "null", "undefined"]),
        () => withForeign(r, LETTERS, JUNK),
      ])(),
  },
  logLevel: {
    parse: v.logLevel(),
    example: "info",
    good: "warn",
    bad: (r) =>
      r.pick([
        () => r.pick(["INFO", "Debug", "warning", "err", "trace", "fatal", "silent", "verbose"]),
        () => withForeign(r, "abcdefghijklmnopqrstuvwxyz", DIGITS + JUNK),
      ])(),
  },
  oneOf: {
    parse: v.oneOf(["fast", "slow"] as const),
    example: "fast",
    good: "fast",
    bad: (r) => withForeign(r, "fastslow", LETTERS.toUpperCase() + DIGITS + JUNK),
  },
  port: {
    parse: v.port(),
    example: "9464",
    good: "9464",
    bad: (r) =>
      r.pick([
        () => String(r.int(65536, 1e9)),
        () => "-" + String(r.int(1, 65535)),
        () => withForeign(r, DIGITS, LETTERS + ".:/ "),
      ])(),
  },
  // The orchestrator's own integer options, with the parsers and bounds main.ts declares.
  confirmations: {
    parse: orchestratorSpec.confirmations.parse,
    example: orchestratorSpec.confirmations.example,
    good: "12",
    bad: (r) =>
      r.pick([
        () => withForeign(r, DIGITS, LETTERS + ".,e+ _"),
        () => String(r.int(1001, 1e9)),
        () => "-" + String(r.int(1, 1e9)),
        () => `${r.int(0, 9)}.${r.int(1, 9)}`,
      ])(),
  },
  reorgRewindBlocks: {
    parse: orchestratorSpec.reorgRewindBlocks.parse,
    example: orchestratorSpec.reorgRewindBlocks.example,
    good: "128",
    bad: (r) =>
      r.pick([
        () => withForeign(r, DIGITS, LETTERS + ".,e+ _"),
        () => String(r.int(100_001, 1e12)),
        () => "-" + String(r.int(1, 1e9)),
        () => "9".repeat(r.int(17, 40)),
        () => `${r.int(0, 9)}.${r.int(1, 9)}`,
      ])(),
  },
  string: {
    parse: v.string(),
    example: "./var/file",
    good: "./var/file",
    // Only emptiness is refused; "" on the CLI (env "" means unset, so CLI and file only).
    bad: () => "",
  },
};

let dir: string;

function specFor(name: string, c: Case): Spec {
  return {
    [name]: option({
      description: `the ${name} under test`,
      example: c.example,
      ...(c.secret ? { secret: true, optional: false } : {}),
      parse: c.parse,
    }),
  };
}

type Channel = "cli" | "cli=" | "env" | "file";

/** Loads `spec` with `raw` given for option `name` through `channel`; returns the error or undefined. */
function load(spec: Spec, name: string, raw: unknown, channel: Channel, n: number): unknown {
  const argv: string[] = [];
  const env: Record<string, string> = {};
  if (channel === "cli") argv.push(flagName(name), String(raw));
  if (channel === "cli=") argv.push(`${flagName(name)}=${String(raw)}`);
  if (channel === "env") env[envName(name)] = String(raw);
  if (channel === "file") {
    const file = join(dir, `c${n}.json`);
    writeFileSync(file, JSON.stringify({ [name]: raw }));
    argv.push("--config", file);
  }
  try {
    loadConfig(spec, { argv, env });
    return undefined;
  } catch (error) {
    return error;
  }
}

function describeInput(type: string, channel: string, raw: unknown): string {
  return `seed 0x${SEED.toString(16)}, ${type} via ${channel}: ${JSON.stringify(raw)}`;
}

describe("config fuzzing (seeded)", function () {
  this.timeout(60_000);

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "healnet-config-fuzz-"));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [type, c] of Object.entries(CASES_BY_TYPE)) {
    it(`${type}: every bad value gives a ConfigError naming the option, by every channel`, function () {
      const r = prng(SEED ^ [...type].reduce((h, ch) => Math.imul(h, 31) + ch.charCodeAt(0), 7));
      const name = "fuzzedOption";
      const spec = specFor(name, c);
      // A secret is read from the environment only; the other channels refuse it for that reason.
      const channels: Channel[] = c.secret
        ? ["env"]
        : type === "string"
          ? ["cli=", "file"]
          : ["cli=", "env", "file"];
      let n = 0;
      for (let i = 0; i < CASES; i++) {
        const raw = c.bad(r);
        // A value starting with "--" is a missing value on the CLI (its own ConfigError); use `--flag=value`.
        const channel = r.pick(channels);
        const error = load(spec, name, raw, channel, n++);
        const what = describeInput(type, channel, raw);
        expect(error, what).to.be.instanceOf(ConfigError);
        const e = error as ConfigError;
        expect(e.option, what).to.equal(name);
        expect(e.message, what).to.contain(c.secret ? envName(name) : flagName(name));
        if (c.secret && raw.length > 3) expect(e.message, what).not.to.contain(raw);
      }
      if (!c.secret) {
        for (const raw of BAD_JSON) {
          const error = load(spec, name, raw, "file", n++);
          expect(error, describeInput(type, "file", raw)).to.be.instanceOf(ConfigError);
          expect((error as ConfigError).option).to.equal(name);
        }
      }
    });
  }

  it("mutations of good values either load or give a ConfigError, never another exception", function () {
    const r = prng(SEED + 1);
    let n = 0;
    for (const [type, c] of Object.entries(CASES_BY_TYPE)) {
      const spec = specFor("fuzzedOption", c);
      for (let i = 0; i < CASES; i++) {
        const chars = [...c.good];
        for (let k = r.int(1, 4); k > 0; k--) {
          const at = r.int(0, chars.length);
          const op = r.int(0, 2);
          if (op === 0) chars.splice(at, 0, r.chars(ANY, 1, 2));
          else if (op === 1) chars.splice(at, 1);
          else chars.splice(at, 1, r.chars(ANY, 1, 1));
        }
        const raw = chars.join("");
        const channel: Channel = c.secret ? "env" : r.pick(["cli=", "env", "file"] as const);
        const error = load(spec, "fuzzedOption", raw, channel, n++);
        if (error !== undefined) {
          expect(error, describeInput(type, channel, raw)).to.be.instanceOf(ConfigError);
        }
      }
    }
  });

  for (const [agent, spec, seed] of [
    ["the agents' common options", commonOptions, SEED + 2],
    ["the orchestrator's options", orchestratorSpec, SEED + 3],
  ] as const) {
    it(`random command lines for ${agent} give a ConfigError, never another exception`, function () {
      const r = prng(seed);
      const flags = [...Object.keys(spec).map(flagName), "--config", "--nope", "--", "-x", "rpc"];
      for (let i = 0; i < CASES * 4; i++) {
        const argv: string[] = [];
        for (let k = r.int(1, 6); k > 0; k--) {
          const token = r.pick([
            () => r.pick(flags),
            () => `${r.pick(flags)}=${r.chars(ANY, 0, 10)}`,
            () => r.chars(ANY, 0, 12),
          ])();
          argv.push(token);
        }
        let error: unknown;
        try {
          // No required-option defaults are given: a command line that parses still lacks --rpc-urls or
          // --chain-id (or names a missing --config file), so every run ends in a ConfigError.
          loadConfig(spec, { argv, env: {} });
        } catch (e) {
          error = e;
        }
        expect(error, `seed 0x${seed.toString(16)}, argv ${JSON.stringify(argv)}`).to.be.instanceOf(
          ConfigError,
        );
      }
    });
  }
});
