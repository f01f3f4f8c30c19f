/**
 * The command-line shell shared by the agents' entry points (main.ts) and their Hardhat tasks: parses the
 * config, turns every start-up problem into ONE line on stderr and an exit code, and runs the agent.
 *
 * Exit codes: 0 — stopped cleanly (SIGINT/SIGTERM, or --help); 1 — failed at run time (RPC unreachable at
 * start, wedged tick); 2 — bad configuration or command line (the line names the option and shows a good
 * example), including an RPC on another chain than --chain-id.
 */
import { pathToFileURL } from "node:url";

import { ChainIdMismatchError } from "../../chain/rpc.js";
import { ConfigError, type ConfigOf, describeOptions, loadConfig, type Spec } from "./config.js";

export const EXIT_USAGE = 2;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => void process.stdout.write(line + "\n"),
  err: (line) => void process.stderr.write(line + "\n"),
};

export interface CliOptions<S extends Spec> {
  name: string;
  summary: string;
  spec: S;
  argv: readonly string[];
  env: Record<string, string | undefined>;
  io?: CliIo;
  /** Runs the agent with a valid config; throws ConfigError for a problem found while starting. */
  start(config: ConfigOf<S>, io: CliIo): Promise<number>;
}

export async function runCli<S extends Spec>(options: CliOptions<S>): Promise<number> {
  const io = options.io ?? processIo;
  const { name } = options;
  if (options.argv.includes("--help") || options.argv.includes("-h")) {
    io.out(`${name}: ${options.summary}\n\nOptions (flag / environment; or keys of a --config JSON file):\n`);
    io.out("--config / HEALNET_CONFIG\n    a JSON file with any of the options below, keys in camelCase");
    io.out(describeOptions(options.spec));
    return 0;
  }
  try {
    const config = loadConfig(options.spec, { argv: options.argv, env: options.env });
    return await options.start(config, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof ChainIdMismatchError) {
      io.err(`${name}: --chain-id: ${error.message}`);
      return EXIT_USAGE;
    }
    io.err(`${name}: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** True when `moduleUrl` (import.meta.url) is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === moduleUrl;
}

/**
 * Runs a CLI as the process: exit code from `run`, then exits even if a stray handle lingers (after a
 * bounded grace, so buffered output is flushed).
 */
export function runAsProcess(run: (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>): void {
  run(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), 2_000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
