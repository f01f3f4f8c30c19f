/**
 * `npm run lint:upgrades` (part of `npm run lint`): validates every upgradeable contract with
 * `@openzeppelin/upgrades-core` (tools/upgrades/check.ts) and compares its storage layout, ERC-7201 namespaces
 * included, with the committed reference upgrades/layouts/<Contract>.json; fails on an unsafe contract or an
 * incompatible layout change. `--write` records the current layouts as the new references (after a release).
 * Needs a fresh `npx hardhat build`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { StorageLayout } from "@openzeppelin/upgrades-core";

import {
  UPGRADEABLE_SOURCES,
  layoutErrors,
  layoutOf,
  qualifiedName,
  safetyErrors,
  validationFor,
} from "./check.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const layoutsDir = path.join(root, "upgrades", "layouts");
const write = process.argv.includes("--write");

let failures = 0;
for (const [contract, file] of Object.entries(UPGRADEABLE_SOURCES)) {
  const run = validationFor(root, file);
  const name = qualifiedName(file, contract);
  const problems = safetyErrors(run, name);
  const layout = layoutOf(run, name);
  const referenceFile = path.join(layoutsDir, `${contract}.json`);
  if (write) {
    mkdirSync(layoutsDir, { recursive: true });
    writeFileSync(referenceFile, `${JSON.stringify(layout, null, 2)}\n`);
  } else if (!existsSync(referenceFile)) {
    problems.push(`no reference layout ${path.relative(root, referenceFile)} (run with --write)`);
  } else {
    const reference = JSON.parse(readFileSync(referenceFile, "utf8")) as StorageLayout;
    problems.push(...layoutErrors(reference, layout).map((e) => `incompatible with the reference: ${e}`));
  }
  const namespaces = Object.keys(layout.namespaces ?? {}).join(", ") || "none";
  if (problems.length === 0) console.log(`ok   ${contract} (namespaces: ${namespaces})`);
  else {
    failures += 1;
    console.log(`FAIL ${contract}`);
    for (const p of problems) console.log(`     ${p}`);
  }
}
if (write) console.log(`wrote ${Object.keys(UPGRADEABLE_SOURCES).length} layouts to upgrades/layouts/`);
if (failures > 0) {
  console.error(`${failures} upgradeable contract(s) failed the upgrade checks (docs/upgrades.md)`);
  process.exitCode = 1;
}
