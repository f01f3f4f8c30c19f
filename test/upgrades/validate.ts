/**
 * tools/upgrades (docs/upgrades.md): upgrades-core reads the ERC-7201 namespaces of the build, accepts an
 * appended field and refuses a reordered one (the LayoutFixture pair), and every upgradeable contract is safe
 * and matches its committed reference layout.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { StorageLayout, ValidationRunData } from "@openzeppelin/upgrades-core";

import {
  UPGRADEABLE_SOURCES,
  layoutErrors,
  layoutOf,
  qualifiedName,
  safetyErrors,
  validationFor,
} from "../../tools/upgrades/check.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtureFile = (version: string) => `contracts/mocks/upgrades/LayoutFixture${version}.sol`;
const fixture = (version: string) => qualifiedName(fixtureFile(version), `LayoutFixture${version}`);

describe("Storage-layout validation (tools/upgrades)", function () {
  this.timeout(300_000); // two solc-js compiles without code generation
  // Hardhat 3 may split the build into jobs: each contract is read from the build info that compiled it.
  const runOf = (file: string): ValidationRunData => validationFor(root, file);

  it("reads the ERC-7201 namespace of a contract", function () {
    const layout = layoutOf(runOf(fixtureFile("V1")), fixture("V1"));
    const namespace = layout.namespaces?.["erc7201:healnet.storage.LayoutFixture"];
    expect(namespace?.map((item) => item.label)).to.deep.equal(["minStake", "treasury"]);
  });

  it("accepts a field appended to a namespace and refuses two fields swapped", function () {
    const layout = (version: string) => layoutOf(runOf(fixtureFile(version)), fixture(version));
    const v1 = layout("V1");
    expect(layoutErrors(v1, layout("V2"))).to.deep.equal([]);
    const errors = layoutErrors(v1, layout("V2Incompatible"));
    expect(errors.length).to.be.greaterThan(0);
  });

  it("every upgradeable contract is upgrade-safe and matches its reference layout in upgrades/layouts", function () {
    for (const [contract, file] of Object.entries(UPGRADEABLE_SOURCES)) {
      const name = qualifiedName(file, contract);
      const run = runOf(file);
      expect(safetyErrors(run, name), contract).to.deep.equal([]);
      const layout = layoutOf(run, name);
      expect(Object.keys(layout.namespaces ?? {}).length, contract).to.be.greaterThan(0);
      const reference = JSON.parse(
        readFileSync(path.join(root, "upgrades", "layouts", `${contract}.json`), "utf8"),
      ) as StorageLayout;
      expect(layoutErrors(reference, layout), contract).to.deep.equal([]);
    }
  });
});
