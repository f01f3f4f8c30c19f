import type { HardhatPlugin } from "hardhat/types/plugins";

/**
 * Makes every solc warning about the project's own sources a compilation error, so a warning can
 * never land unnoticed. Warnings about dependencies (input source names under `npm/`) stay
 * warnings: they are not ours to fix.
 */
const warningsAsErrors: HardhatPlugin = {
  id: "healnet-warnings-as-errors",
  hookHandlers: {
    solidity: () => import("./solidity-hooks.js"),
  },
};

export default warningsAsErrors;
