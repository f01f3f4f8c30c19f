import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import warningsAsErrors from "./hardhat-plugins/warnings-as-errors/index.js";
import { agentTasks } from "./tasks/agents.js";
import { healTasks } from "./tasks/index.js";

const require = createRequire(import.meta.url);

/**
 * The Solidity compiler comes from the npm `solc` package (WASM), so a build never downloads a
 * compiler: it works offline and on every platform. Hardhat needs the absolute path of
 * `soljson.js` and the exact version of that package.
 */
const SOLC_VERSION: string = (require("solc/package.json") as { version: string }).version;
const SOLC_PATH: string = require.resolve("solc/soljson.js");

/** Fixed seed for the fast profile, so a failing fuzz run is reproducible. */
const FUZZ_SEED = "0x6865616c6e6574"; // "healnet"

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, warningsAsErrors],
  // `npx hardhat heal ...` (tasks/index.ts; docs/deployment.md); `heal keeper|sidecar|orchestrator` (tasks/agents.ts).
  tasks: [...healTasks, ...agentTasks],
  solidity: {
    version: SOLC_VERSION,
    path: SOLC_PATH,
    // Built for their artifacts: the core contracts are deployed behind transparent (ERC-1967) proxies.
    npmFilesToBuild: [
      "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol",
      // Every long-lived contract sits behind a transparent proxy with its own ProxyAdmin (docs/upgrades.md).
      "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol",
      "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol",
      // The DAO timelock is OpenZeppelin's, deployed as is (test/integration/governance.ts, deploy/).
      "@openzeppelin/contracts/governance/TimelockController.sol",
    ],
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
    },
  },
  paths: {
    ignition: "deploy",
  },
  test: {
    solidity: {
      profiles: {
        // `npm test`: fast, deterministic.
        default: {
          fuzz: { runs: 1_000, seed: FUZZ_SEED },
          invariant: { runs: 256, depth: 100, failOnRevert: false },
        },
        // `npm run test:deep`: long runs with a random seed (printed by scripts/test-deep.ts).
        deep: {
          fuzz: { runs: 10_000, seed: process.env.HEALNET_FUZZ_SEED },
          invariant: { runs: 1_000, depth: 500, failOnRevert: false },
        },
      },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      // HEALNET_LOCALHOST_URL points it at a node on another port (the deployment tests use one of their own).
      url: process.env.HEALNET_LOCALHOST_URL ?? "http://127.0.0.1:8545",
    },
    // Secrets come from the keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`) or the environment, never
    // from the repository; they are read only when this network is used.
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
