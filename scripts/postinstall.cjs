// Runs after `npm install` / `npm ci`.
//
// Hardhat 3 runs on Node >= 22.13, and its EDR runtime ships as an optional, per-platform native
// package (e.g. @nomicfoundation/edr-linux-x64-gnu). The project pins Node 22 as a devDependency
// (the npm `node` package), so npm scripts and `npx` run Hardhat on that Node. But when npm itself
// runs on an older system Node (20), it judges the platform package's `engines` against Node 20 and
// silently skips it; Hardhat then fails with HHE27. Lifecycle scripts run with node_modules/.bin
// first on PATH, i.e. on the pinned Node 22, so re-running the install once from here restores the
// native package. On a Node 22+ system this is a no-op.
"use strict";
const { spawnSync } = require("node:child_process");

function edrLoads() {
  try {
    require("@nomicfoundation/edr");
    return true;
  } catch {
    return false;
  }
}

if (edrLoads()) process.exit(0);
if (process.env.HEALNET_POSTINSTALL_RETRY === "1") {
  console.error(
    "healnet: @nomicfoundation/edr still cannot be loaded after a second install; " +
      "run `npm install` with Node >= 22.13 and report this platform (" +
      `${process.platform}-${process.arch}).`,
  );
  process.exit(1);
}
console.log(`healnet: installing Hardhat's native runtime for Node ${process.version}…`);
const npm = process.env.npm_execpath;
const [cmd, args] = npm ? [process.execPath, [npm]] : ["npm", []];
const result = spawnSync(
  cmd,
  [...args, "install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"],
  {
    stdio: "inherit",
    env: { ...process.env, HEALNET_POSTINSTALL_RETRY: "1" },
  },
);
if (result.status !== 0 || !edrLoads()) {
  console.error("healnet: could not install @nomicfoundation/edr's native package; see the output above.");
  process.exit(1);
}
