/**
 * `heal deploy` against a real JSON-RPC node, as separate processes: a Hardhat node on a loopback port, the
 * deployment, a second run that must send nothing, and `heal status` from the recorded deployment.
 */
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const HARDHAT_CLI = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const PORT = 22_545; // the deployment tests' range is 22000-22999
const URL = `http://127.0.0.1:${PORT}`;
const STEP_TIMEOUT_MS = 180_000;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, HEALNET_LOCALHOST_URL: URL, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat ${args.join(" ")} did not exit within ${STEP_TIMEOUT_MS} ms`));
    }, STEP_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function rpc(method: string): Promise<string> {
  const response = await fetch(URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
    signal: AbortSignal.timeout(2_000),
  });
  return ((await response.json()) as { result: string }).result;
}

describe("heal deploy --network localhost (child processes)", function () {
  this.timeout(4 * STEP_TIMEOUT_MS);
  let node: ChildProcess | undefined;
  let root: string;

  before(async function () {
    root = await mkdtemp(path.join(tmpdir(), "healnet-localhost-"));
    node = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(PORT)], {
      cwd: ROOT,
      stdio: "ignore",
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await rpc("eth_chainId")) === "0x7a69") break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the node did not answer on ${URL} within 60 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  after(async function () {
    if (node !== undefined && node.exitCode === null) {
      const exited = new Promise((r) => node!.once("exit", r));
      node.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (node.exitCode === null) node.kill("SIGKILL");
    }
    await rm(root, { recursive: true, force: true });
  });

  it("deploys, re-runs without sending anything, and heal status reads the recorded deployment", async function () {
    const dir = path.join(root, "chain-31337");
    const first = await run(["heal", "deploy", "--network", "localhost", "--deployment-dir", dir]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/healnet on localhost \(chain 31337\).*0 active/);
    const blockAfterFirst = await rpc("eth_blockNumber");

    const second = await run(["heal", "deploy", "--network", "localhost", "--deployment-dir", dir]);
    expect(second.code, second.stderr).to.equal(0);
    expect(await rpc("eth_blockNumber")).to.equal(blockAfterFirst);

    const status = await run([
      "heal",
      "status",
      "--network",
      "localhost",
      "--addresses",
      path.join(dir, "deployed_addresses.json"),
    ]);
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.include("(no validators registered yet)");
  });
});
