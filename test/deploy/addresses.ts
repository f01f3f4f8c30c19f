import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import {
  CORE_KEYS,
  deploymentAddressesFile,
  GUARDIAN_KEYS,
  loadSuite,
  parseSuiteAddresses,
  readSuiteAddresses,
} from "../../src/suite/addresses.js";
import { HealError } from "../../src/suite/errors.js";

const { ethers } = await network.getOrCreate();

const A = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}`;
const CORE_FLAT = { token: A(0), stake: A(1), health: A(2), set: A(3) };
const CORE_IGNITION = Object.fromEntries(Object.values(CORE_KEYS).map((id, i) => [id, A(i)]));

function expectHealError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(HealError);
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail("no HealError");
}

describe("src/suite/addresses.ts", function () {
  it("parses both formats into checksummed addresses; optional groups stay absent", function () {
    const flat = parseSuiteAddresses(CORE_FLAT, "f.json");
    expect(flat.set).to.equal("0x0000000000000000000000000000000000000004");
    expect(flat.council).to.equal(undefined);
    const ignition = parseSuiteAddresses(
      {
        ...CORE_IGNITION,
        "HealnetCore#StakeManagerImpl": A(9),
        ...Object.fromEntries(Object.values(GUARDIAN_KEYS).map((id, i) => [id, A(10 + i)])),
      },
      "d.json",
    );
    expect(ignition.stake).to.equal(flat.stake);
    expect(ignition.council).to.equal("0x000000000000000000000000000000000000000E");
  });

  it("names the file and the key of every problem", function () {
    expectHealError(() => parseSuiteAddresses([], "x.json"), /^x\.json: expected a JSON object/);
    expectHealError(
      () => parseSuiteAddresses({ ...CORE_FLAT, set: undefined }, "x.json"),
      /^x\.json: "set" is missing$/,
    );
    expectHealError(
      () => parseSuiteAddresses({ ...CORE_FLAT, health: "0x12" }, "x.json"),
      /^x\.json: "health" is not an address: "0x12"/,
    );
    expectHealError(
      () => parseSuiteAddresses({ ...CORE_FLAT, token: 7 }, "x.json"),
      /^x\.json: "token" is not a string/,
    );
    expectHealError(
      () => parseSuiteAddresses({ ...CORE_FLAT, stake: ethers.ZeroAddress }, "x.json"),
      /^x\.json: "stake" is the zero address/,
    );
    // The guardian side is all or nothing.
    expectHealError(
      () => parseSuiteAddresses({ ...CORE_IGNITION, "HealnetGuardians#AuditLog": A(5) }, "d.json"),
      /^d\.json: "HealnetGuardians#SnapshotRegistry" is missing \(the file has HealnetGuardians#AuditLog\)/,
    );
  });

  it("reads files: a missing or invalid file is a HealError; loadSuite refuses addresses without code", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "healnet-addresses-"));
    try {
      await rejectsWith(readSuiteAddresses(path.join(dir, "none.json")), /none\.json: cannot be read/);
      await writeFile(path.join(dir, "bad.json"), "{ not json");
      await rejectsWith(readSuiteAddresses(path.join(dir, "bad.json")), /bad\.json: not valid JSON/);
      const file = path.join(dir, "flat.json");
      await writeFile(file, JSON.stringify(CORE_FLAT));
      expect((await readSuiteAddresses(file)).token).to.equal("0x0000000000000000000000000000000000000001");
      await rejectsWith(
        loadSuite(ethers.provider, { file }),
        /flat\.json: no contract at token 0x0+1 on chain 31337 \(wrong network/,
      );
      const loaded = await loadSuite(Wallet.createRandom().connect(ethers.provider), {
        file,
        checkCode: false,
      });
      expect(loaded.chainId).to.equal(31337n);
      expect(await loaded.contracts.set.getAddress()).to.equal("0x0000000000000000000000000000000000000004");
      await rejectsWith(
        loadSuite(ethers.provider, { deploymentsDir: dir }),
        /^no healnet deployment for chain 31337/,
      );
      expect(deploymentAddressesFile(11155111n, dir)).to.equal(
        path.join(dir, "chain-11155111", "deployed_addresses.json"),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(HealError);
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail("did not reject");
}
