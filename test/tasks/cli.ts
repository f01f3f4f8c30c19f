import { expect } from "chai";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// The `hardhat` bin (what npx runs), without npx: npm itself writes warnings to stderr.
const HARDHAT_CLI = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const TIMEOUT_MS = 120_000;

/** Runs `hardhat <args>` as a child process (bounded in time, killed on timeout). */
function hardhat(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat ${args.join(" ")} did not exit within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("heal tasks (child process)", function () {
  this.timeout(2 * TIMEOUT_MS);

  it("npx hardhat heal check 0x123: exit code 1, one line on stderr, no stack trace", async function () {
    const r = await hardhat(["heal", "check", "0x123"]);
    expect(r.code, r.stderr).to.equal(1);
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines, r.stderr).to.have.length(1);
    expect(lines[0]).to.match(
      /^heal check: validator "0x123" is not an address \(expected 0x and 40 hex digits/,
    );
  });

  it("npx hardhat heal status on a chain without a deployment: exit code 1, one line", async function () {
    const r = await hardhat([
      "heal",
      "status",
      "--addresses",
      path.join(ROOT, "deploy/deployments/chain-0/none.json"),
    ]);
    expect(r.code, r.stderr).to.equal(1);
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines, r.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^heal status: .*none\.json: cannot be read/);
  });
});
