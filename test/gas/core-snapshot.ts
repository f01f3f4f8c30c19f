import { readFileSync } from "node:fs";

import { expect } from "chai";
import { network } from "hardhat";

import { compareToSnapshot, SNAPSHOT_SIZES, type BenchRow } from "../../src/bench/report.js";
import { runBench } from "../../src/bench/run.js";
import { GAS_TAG, skipUnderCoverage } from "../helpers/gas.js";

const SNAPSHOT_FILE = new URL("../../gas-snapshots/core.json", import.meta.url);

describe(`Core gas snapshot ${GAS_TAG}`, function () {
  this.timeout(300_000);

  before(function () {
    skipUnderCoverage(this);
  });

  it("costs no more than the committed snapshot (npm run gas:snapshot updates it)", async function () {
    const snapshot = JSON.parse(readFileSync(SNAPSHOT_FILE, "utf8")) as BenchRow[];
    const connection = await network.create();
    try {
      const rows = await runBench(
        connection.ethers,
        { sizes: SNAPSHOT_SIZES, batchSizes: [1, 10, 100] },
        () => {},
      );
      const regressions = compareToSnapshot(rows, snapshot).filter((d) => d.regressed);
      expect(
        regressions.map(
          (d) =>
            `${d.row.operation} (${d.row.backups} backups, ${d.row.items} items): ${d.row.gas} > ${d.snapshot ?? "missing"}`,
        ),
      ).to.deep.equal([]);
      expect(rows.length).to.equal(snapshot.length, "the snapshot has rows this run no longer measures");
    } finally {
      await connection.close();
    }
  });
});
