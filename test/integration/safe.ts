import { expect } from "chai";
import { network } from "hardhat";

import {
  SafeTransactionError,
  buildSafeTransaction,
  createSafe,
  deploySafeInfrastructure,
  execSafeTransaction,
  execSafeTransactionWithSignatures,
  readSafeState,
  safeAt,
  safeTransactionHash,
  signSafeTransaction,
} from "../../src/suite/safe.js";
import { namedSigners } from "../helpers/accounts.js";

const { ethers, networkHelpers } = await network.getOrCreate();

/** Awaits `promise` and returns what it rejected with; fails the test if it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail("expected a rejection");
}

/** The Safe's refusal: a SafeTransactionError with the given GS code. */
async function expectSafeRefusal(promise: Promise<unknown>, code: string): Promise<SafeTransactionError> {
  const error = await rejectionOf(promise);
  expect(error).to.be.instanceOf(SafeTransactionError);
  const refusal = error as SafeTransactionError;
  expect(refusal.code).to.equal(code);
  expect(refusal.message).to.include(code);
  return refusal;
}

describe("Safe", function () {
  /** A 2-of-3 Safe holding PARAMETER_ROLE on a MockParameterized target. */
  async function deploySafeFixture() {
    const { deployer, ownerA, ownerB, ownerC, outsider, relayer } = await namedSigners(ethers, [
      "deployer",
      "ownerA",
      "ownerB",
      "ownerC",
      "outsider",
      "relayer",
    ]);
    const infra = await deploySafeInfrastructure(deployer);
    // Owners in descending address order on purpose: createSafe takes any order.
    const owners = [ownerA, ownerB, ownerC].sort((a, b) => (BigInt(a.address) > BigInt(b.address) ? -1 : 1));
    const safeAddress = await createSafe(
      infra,
      owners.map((o) => o.address),
      2,
      deployer,
    );
    const safe = safeAt(safeAddress, relayer);

    const target = await ethers.deployContract("MockParameterized", [deployer.address, 10n]);
    const parameterRole = await target.PARAMETER_ROLE();
    await target.grantRole(parameterRole, safeAddress);

    const call = {
      to: await target.getAddress(),
      data: target.interface.encodeFunctionData("setParameters", [42n]),
    };
    /** Owners sorted ascending by address: [lowest, middle, highest]. */
    const [low, mid, high] = [...owners].reverse() as [typeof ownerA, typeof ownerA, typeof ownerA];
    return {
      infra,
      safe,
      safeAddress,
      target,
      parameterRole,
      call,
      owners,
      low,
      mid,
      high,
      outsider,
      relayer,
    };
  }

  describe("createSafe", function () {
    it("creates a Safe with the given owners and threshold", async function () {
      const { safe, owners } = await networkHelpers.loadFixture(deploySafeFixture);
      const state = await readSafeState(safe);
      expect(state.threshold).to.equal(2n);
      expect([...state.owners].sort()).to.deep.equal(owners.map((o) => o.address).sort());
      expect(state.version).to.equal("1.4.1");
      expect(state.nonce).to.equal(0n);
    });

    it("refuses a threshold above the owner count before sending", async function () {
      const { infra, owners } = await networkHelpers.loadFixture(deploySafeFixture);
      const [deployer] = await ethers.getSigners();
      const error = await rejectionOf(
        createSafe(
          infra,
          owners.map((o) => o.address),
          4,
          deployer!,
        ),
      );
      expect((error as Error).message).to.include("threshold must be in 1..3");
    });
  });

  describe("execSafeTransaction", function () {
    it("executes a call with two owners' EIP-712 signatures", async function () {
      const { safe, safeAddress, target, call, high, low, relayer } =
        await networkHelpers.loadFixture(deploySafeFixture);
      // Signers given in descending order: the tooling sorts them.
      const receipt = await execSafeTransaction(safeAddress, call, [high, low], relayer);
      expect(receipt.status).to.equal(1);
      expect(await target.value()).to.equal(42n);
      expect((await readSafeState(safe)).nonce).to.equal(1n);
      const updated = receipt.logs
        .map((log) => target.interface.parseLog(log))
        .find((parsed) => parsed?.name === "ParametersUpdated");
      expect(updated?.args).to.deep.equal([10n, 42n, safeAddress]);
    });

    it("executes a call with eth_sign signatures (v + 4)", async function () {
      const { safe, safeAddress, target, call, mid, high, relayer } =
        await networkHelpers.loadFixture(deploySafeFixture);
      await execSafeTransaction(safeAddress, call, [mid, high], relayer, { method: "eth_sign" });
      expect(await target.value()).to.equal(42n);
      expect((await readSafeState(safe)).nonce).to.equal(1n);
    });

    it("fails with GS020 with one signature", async function () {
      const { safe, safeAddress, target, call, low, relayer } =
        await networkHelpers.loadFixture(deploySafeFixture);
      const refusal = await expectSafeRefusal(
        execSafeTransaction(safeAddress, call, [low], relayer),
        "GS020",
      );
      expect(refusal.signatureCount).to.equal(1);
      expect(refusal.threshold).to.equal(2n);
      expect(refusal.message).to.include("1 signature(s) given, threshold 2");
      expect(await target.value()).to.equal(10n);
      expect((await readSafeState(safe)).nonce).to.equal(0n);
    });

    it("fails with GS026 when the signatures are not sorted by owner", async function () {
      const { safe, safeAddress, target, call, low, high, relayer } =
        await networkHelpers.loadFixture(deploySafeFixture);
      const { chainId } = await ethers.provider.getNetwork();
      const safeTx = await buildSafeTransaction(safe, call);
      const hash = await safeTransactionHash(safe, safeTx);
      const descending = [
        await signSafeTransaction(safeAddress, chainId, safeTx, hash, high),
        await signSafeTransaction(safeAddress, chainId, safeTx, hash, low),
      ];
      await expectSafeRefusal(
        execSafeTransactionWithSignatures(safe, safeTx, descending, relayer, { sort: false }),
        "GS026",
      );
      expect(await target.value()).to.equal(10n);

      // The same two signatures, sorted, pass: the order was the only fault.
      await execSafeTransactionWithSignatures(safe, safeTx, descending, relayer);
      expect(await target.value()).to.equal(42n);
    });

    it("fails with GS026 when a signer is not an owner", async function () {
      const { safe, safeAddress, target, call, low, outsider, relayer } =
        await networkHelpers.loadFixture(deploySafeFixture);
      await expectSafeRefusal(execSafeTransaction(safeAddress, call, [low, outsider], relayer), "GS026");
      expect(await target.value()).to.equal(10n);
      expect((await readSafeState(safe)).nonce).to.equal(0n);
    });

    it("fails with GS013 when the inner call reverts", async function () {
      const { safe, safeAddress, target, low, mid, relayer } =
        await networkHelpers.loadFixture(deploySafeFixture);
      const outOfBounds = {
        to: await target.getAddress(),
        data: target.interface.encodeFunctionData("setParameters", [1_001n]),
      };
      await expectSafeRefusal(execSafeTransaction(safeAddress, outOfBounds, [low, mid], relayer), "GS013");
      expect((await readSafeState(safe)).nonce).to.equal(0n);
    });

    it("leaves an owner acting alone without the Safe's role", async function () {
      const { target, parameterRole, low } = await networkHelpers.loadFixture(deploySafeFixture);
      await expect(target.connect(low).setParameters(42n))
        .to.be.revertedWithCustomError(target, "AccessControlUnauthorizedAccount")
        .withArgs(low.address, parameterRole);
    });
  });
});
