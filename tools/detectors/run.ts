/**
 * Runs healnet's detectors on every .sol file under contracts/ (node_modules excluded).
 * Prints `file:line  detector  message` per finding and exits 1 if there is any, else prints a one-line
 * summary and exits 0. Usage: `node --import tsx tools/detectors/run.ts [dir]` (default: contracts).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { DETECTORS, formatFinding, loadProject, runDetectors } from "./index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = process.argv[2] ?? "contracts";

try {
  const project = loadProject(root, dir);
  const findings = runDetectors(project);
  for (const f of findings) console.log(formatFinding(f));
  if (findings.length > 0) {
    console.error(`detectors: ${findings.length} finding(s) in ${project.files.length} file(s)`);
    process.exitCode = 1;
  } else {
    console.log(
      `detectors: ${project.files.length} file(s) under ${dir}/, ${DETECTORS.length} detectors ` +
        `(${DETECTORS.map((d) => d.name).join(", ")}), no findings`,
    );
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
