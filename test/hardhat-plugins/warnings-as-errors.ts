import { expect } from "chai";

import { isProjectWarning, promoteWarning } from "../../hardhat-plugins/warnings-as-errors/solidity-hooks.js";

function warning(file: string | undefined, errorCode = "2072") {
  return {
    type: "Warning",
    component: "general",
    severity: "warning" as const,
    message: "Unused local variable.",
    errorCode,
    formattedMessage: "Warning: Unused local variable.",
    ...(file === undefined ? {} : { sourceLocation: { file } }),
  };
}

describe("warnings-as-errors plugin", function () {
  it("promotes warnings about the project's own sources, contracts and tests alike", function () {
    expect(isProjectWarning(warning("project/contracts/staking/StakeManager.sol"))).to.equal(true);
    expect(isProjectWarning(warning("project/test/staking/StakeManager.t.sol"))).to.equal(true);
    expect(isProjectWarning(warning(undefined))).to.equal(true);
  });

  it("leaves dependencies' warnings alone", function () {
    expect(isProjectWarning(warning("npm/@openzeppelin/contracts@5.7.0/token/ERC20/ERC20.sol"))).to.equal(
      false,
    );
  });

  it("leaves code-size warnings about test files alone (Hardhat hides them), but not about contracts", function () {
    expect(isProjectWarning(warning("project/test/governance/HealGovernor.t.sol", "5574"))).to.equal(false);
    expect(isProjectWarning(warning("project/test/x/Big.t.sol", "3860"))).to.equal(false);
    expect(
      isProjectWarning(warning("project/contracts/validators/SelfHealingValidatorSet.sol", "5574")),
    ).to.equal(true);
  });

  it("leaves code-size warnings alone in coverage builds, where instrumentation inflates contracts", function () {
    const sizeWarning = warning("project/contracts/health/NodeHealth.sol", "5574");
    expect(isProjectWarning(sizeWarning, { coverage: true })).to.equal(false);
    expect(isProjectWarning(sizeWarning, { coverage: false })).to.equal(true);
    expect(isProjectWarning(warning("project/contracts/health/NodeHealth.sol"), { coverage: true })).to.equal(
      true,
    );
  });

  it("ignores errors and infos", function () {
    expect(isProjectWarning({ ...warning("project/contracts/A.sol"), severity: "error" })).to.equal(false);
    expect(isProjectWarning({ ...warning("project/contracts/A.sol"), severity: "info" })).to.equal(false);
  });

  it("turns a warning into an error that still says what it was", function () {
    const promoted = promoteWarning(warning("project/contracts/A.sol"));
    expect(promoted.severity).to.equal("error");
    expect(promoted.type).to.equal("Error");
    expect(promoted.formattedMessage).to.match(
      /^Error \(a warning; this project treats warnings as errors\): Warning: Unused/,
    );
  });
});
