import { expect } from "chai";
import { network } from "hardhat";

import { namedSigners } from "../helpers/accounts.js";

const { ethers, networkHelpers } = await network.getOrCreate();

describe("HealToken", function () {
  async function deployTokenFixture() {
    const { treasury, alice } = await namedSigners(ethers, ["treasury", "alice"]);
    const token = await ethers.deployContract("HealToken", [treasury.address, 1_000_000n * 10n ** 18n]);
    return { token, treasury, alice };
  }

  describe("delegate", function () {
    it("moves voting power with transfers once delegated", async function () {
      const { token, treasury, alice } = await networkHelpers.loadFixture(deployTokenFixture);
      await token.connect(alice).delegate(alice.address);
      await expect(token.connect(treasury).transfer(alice.address, 500n))
        .to.emit(token, "DelegateVotesChanged")
        .withArgs(alice.address, 0n, 500n);
      expect(await token.getVotes(alice.address)).to.equal(500n);
    });
  });
});
