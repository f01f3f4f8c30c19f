import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";

import { expect } from "chai";

import {
  commonOptions,
  ConfigError,
  loadConfig,
  option,
  resolvePrivateKey,
  v,
} from "../../src/agents/common/config.js";
import { makeLogger } from "../../src/agents/common/log.js";
import { orchestratorSpec, runOrchestratorCli } from "../../src/agents/orchestrator/main.js";
import { toArgv } from "../../tasks/agents-action.js";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("config", function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "healnet-config-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const base = { HEALNET_RPC_URLS: "http://127.0.0.1:8545", HEALNET_CHAIN_ID: "31337" };

  describe("loadConfig", function () {
    it("reads CLI over env over the config file over defaults", function () {
      const file = join(dir, "agent.json");
      writeFileSync(file, JSON.stringify({ intervalMs: 3000, metricsPort: 9000, logLevel: "warn" }));
      const config = loadConfig(commonOptions, {
        argv: ["--config", file, "--metrics-port", "0"],
        env: { ...base, HEALNET_METRICS_PORT: "9100", HEALNET_INTERVAL_MS: "2s" },
      });
      expect(config.metricsPort).to.equal(0); // CLI
      expect(config.intervalMs).to.equal(2000); // env over file
      expect(config.logLevel).to.equal("warn"); // file over default
      expect(config.maxFeePerGas).to.equal(200n * 10n ** 9n); // default
      const urls: string[] = config.rpcUrls; // typed from the validator
      const cap: bigint = config.maxFeePerGas;
      expect(urls).to.deep.equal(["http://127.0.0.1:8545"]);
      expect(cap > 0n).to.equal(true);
      expect(config.chainId).to.equal(31337n);
    });

    it("names the option, says what is wrong and shows an example for a bad value", function () {
      const e = configError(() =>
        loadConfig(commonOptions, { argv: ["--rpc-urls", "localhost:8545,foo"], env: base }),
      );
      expect(e.option).to.equal("rpcUrls");
      expect(e.message)
        .to.contain("--rpc-urls")
        .and.contain("not an http(s) URL")
        .and.contain("Example: --rpc-urls http://127.0.0.1:8545");
    });

    it("names a missing required option", function () {
      const e = configError(() =>
        loadConfig(commonOptions, { argv: [], env: { HEALNET_RPC_URLS: "http://x:1" } }),
      );
      expect(e.option).to.equal("chainId");
      expect(e.message).to.contain("--chain-id").and.contain("HEALNET_CHAIN_ID").and.contain("31337");
    });

    it("rejects unknown flags and unknown config-file keys", function () {
      expect(
        configError(() => loadConfig(commonOptions, { argv: ["--rpc-url", "http://x:1"], env: base }))
          .message,
      ).to.contain("unknown option --rpc-url");
      const file = join(dir, "typo.json");
      writeFileSync(file, JSON.stringify({ intervalMS: 5 }));
      expect(
        configError(() => loadConfig(commonOptions, { argv: ["--config", file], env: base })).option,
      ).to.equal("intervalMS");
    });

    it("validates bounds with the option named", function () {
      const spec = {
        retries: option({ description: "retries", example: "3", parse: v.int({ min: 0, max: 10 }) }),
      };
      const e = configError(() => loadConfig(spec, { argv: ["--retries", "11"], env: {} }));
      expect(e.message).to.contain("--retries").and.contain("at most 10").and.contain("Example: --retries 3");
    });
  });

  describe("orchestrator options", function () {
    const orch = { ...base, HEALNET_NODES: "./nodes.json" };

    it("reads --reorg-rewind-blocks from the CLI, HEALNET_REORG_REWIND_BLOCKS and the config file (default 128)", function () {
      const load = (argv: string[], env: Record<string, string> = {}) =>
        loadConfig(orchestratorSpec, { argv, env: { ...orch, ...env } }).reorgRewindBlocks;
      expect(load([])).to.equal(128);
      const file = join(dir, "orchestrator.json");
      writeFileSync(file, JSON.stringify({ reorgRewindBlocks: 300, confirmations: 4 }));
      expect(load(["--config", file])).to.equal(300); // file over default
      expect(load(["--config", file], { HEALNET_REORG_REWIND_BLOCKS: "0" })).to.equal(0); // env over file
      expect(
        load(["--config", file, "--reorg-rewind-blocks", "64"], { HEALNET_REORG_REWIND_BLOCKS: "0" }),
      ).to.equal(64); // CLI over env
      expect(load(["--reorg-rewind-blocks=100000"])).to.equal(100_000); // the bound itself
    });

    for (const [raw, why] of [
      ["-1", "must be at least 0"],
      ["100001", "must be at most 100000"],
      ["1.5", "is not an integer"],
      ["lots", "is not an integer"],
      ["", "is not an integer"],
    ] as const) {
      it(`refuses --reorg-rewind-blocks ${JSON.stringify(raw)} by every channel, naming the option`, function () {
        const file = join(dir, "bad-rewind.json");
        writeFileSync(file, JSON.stringify({ reorgRewindBlocks: raw }));
        for (const sources of [
          { argv: [`--reorg-rewind-blocks=${raw}`], env: orch },
          { argv: ["--config", file], env: orch },
          ...(raw === "" ? [] : [{ argv: [], env: { ...orch, HEALNET_REORG_REWIND_BLOCKS: raw } }]),
        ]) {
          const e = configError(() => loadConfig(orchestratorSpec, sources));
          expect(e.option, JSON.stringify(sources)).to.equal("reorgRewindBlocks");
          expect(e.message)
            .to.contain("--reorg-rewind-blocks")
            .and.contain(why)
            .and.contain("Example: --reorg-rewind-blocks 128");
        }
      });
    }

    it("the orchestrator's CLI exits 2 with one line on a bad --reorg-rewind-blocks, before connecting", async function () {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runOrchestratorCli(["--reorg-rewind-blocks", "1e3"], orch, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      });
      expect(code).to.equal(2);
      expect(out).to.deep.equal([]);
      expect(err).to.have.length(1);
      expect(err[0])
        .to.match(/^orchestrator: /)
        .and.contain("--reorg-rewind-blocks")
        .and.contain("is not an integer");
    });

    it("`heal orchestrator reorg-rewind-blocks=N` (the Hardhat task's arguments) reaches the same option", async function () {
      const file = join(dir, "task-orchestrator.json");
      writeFileSync(file, JSON.stringify({ reorgRewindBlocks: 32 }));
      expect(loadConfig(orchestratorSpec, { argv: toArgv(file, []), env: orch }).reorgRewindBlocks).to.equal(
        32,
      );
      expect(
        loadConfig(orchestratorSpec, { argv: toArgv(file, ["reorg-rewind-blocks=64"]), env: orch })
          .reorgRewindBlocks,
      ).to.equal(64);
      const err: string[] = [];
      const code = await runOrchestratorCli(toArgv("", ["reorg-rewind-blocks=-5"]), orch, {
        out: () => {},
        err: (l) => err.push(l),
      });
      expect(code).to.equal(2);
      expect(err).to.deep.equal([
        'orchestrator: invalid --reorg-rewind-blocks (from --reorg-rewind-blocks): "-5" must be at least 0. Example: --reorg-rewind-blocks 128',
      ]);
    });

    it("--help lists --reorg-rewind-blocks with its environment variable and default", async function () {
      const out: string[] = [];
      const code = await runOrchestratorCli(["--help"], {}, { out: (l) => out.push(l), err: () => {} });
      expect(code).to.equal(0);
      expect(out.join("\n"))
        .to.contain("--reorg-rewind-blocks / HEALNET_REORG_REWIND_BLOCKS")
        .and.contain("(default 128)");
    });
  });

  describe("keys", function () {
    it("refuses a secret on the command line", function () {
      const e = configError(() => loadConfig(commonOptions, { argv: ["--private-key", KEY], env: base }));
      expect(e.option).to.equal("privateKey");
      expect(e.message).not.to.contain(KEY.slice(2, 20));
    });

    it("never echoes a bad secret", function () {
      const bad = "0xdeadbeefcafe";
      const e = configError(() =>
        loadConfig(commonOptions, { argv: [], env: { ...base, HEALNET_PRIVATE_KEY: bad } }),
      );
      expect(e.message)
        .to.contain("HEALNET_PRIVATE_KEY")
        .and.contain("[redacted]")
        .and.not.contain("deadbeef");
    });

    it("reads the key from a key file and keeps it out of logs", function () {
      const file = join(dir, "agent.key");
      writeFileSync(file, KEY.slice(2) + "\n", { mode: 0o600 });
      const config = loadConfig(commonOptions, { argv: ["--key-file", file], env: base });
      const key = resolvePrivateKey(config);
      expect(key.reveal()).to.equal(KEY);
      const lines: string[] = [];
      makeLogger({ sink: (l) => lines.push(l) }).info("config", { config, key, privateKey: KEY });
      expect(lines.join("\n")).not.to.contain(KEY.slice(2, 20));
      expect(inspect(key)).to.equal("[redacted]");
      expect(String(key)).to.equal("[redacted]");
    });

    it("says what is wrong with a key file without printing it", function () {
      const file = join(dir, "bad.key");
      writeFileSync(file, "not-a-key-1234", { mode: 0o600 });
      const config = loadConfig(commonOptions, { argv: ["--key-file", file], env: base });
      const e = configError(() => resolvePrivateKey(config));
      expect(e.option).to.equal("keyFile");
      expect(e.message).to.contain(file).and.not.contain("not-a-key-1234");
    });

    it("refuses a key file that others can read (like ssh)", function () {
      const file = join(dir, "open.key");
      writeFileSync(file, KEY.slice(2) + "\n", { mode: 0o644 });
      chmodSync(file, 0o644);
      const config = loadConfig(commonOptions, { argv: ["--key-file", file], env: base });
      const e = configError(() => resolvePrivateKey(config));
      expect(e.option).to.equal("keyFile");
      expect(e.message).to.contain("chmod 600").and.contain("0644").and.not.contain(KEY.slice(2, 20));
    });
  });
});

describe("makeLogger", function () {
  it("writes JSON lines at or above the level, with bound fields", function () {
    const lines: string[] = [];
    const log = makeLogger({ level: "info", sink: (l) => lines.push(l), fields: { agent: "keeper" } });
    log.debug("hidden");
    log.child({ tick: 3 }).warn("late", { validator: "0xabc", gas: 21000n, error: new Error("boom") });
    expect(lines).to.have.length(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).to.include({
      level: "warn",
      msg: "late",
      agent: "keeper",
      tick: 3,
      validator: "0xabc",
      gas: "21000",
    });
    expect(entry.error).to.deep.equal({ name: "Error", message: "boom" });
    expect(entry.ts).to.be.a("string");
  });
});
