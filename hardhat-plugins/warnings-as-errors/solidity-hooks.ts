import type { SolidityHooks } from "hardhat/types/hooks";
import type { CompilerOutputError } from "hardhat/types/solidity";

/** solc's error object also carries the location, which Hardhat's type leaves out. */
type LocatedError = CompilerOutputError & { sourceLocation?: { file: string } };

/** solc's "contract code size exceeds 24576 bytes" and "initcode size exceeds 49152 bytes" warnings. */
const CODE_SIZE_WARNINGS = new Set(["5574", "3860"]);
/** Missing SPDX identifier and missing pragma: Hardhat accepts them in test files. */
const TEST_FILE_TOLERATED = new Set(["1878", "3420"]);

export interface BuildMode {
  /** Whether the build is instrumented for `--coverage` (instrumentation inflates code size). */
  coverage: boolean;
}

/**
 * Whether a solc warning is about the project's own sources and must fail the build. Input source names of
 * dependencies start with `npm/` (not ours to fix). Hardhat itself hides some warnings — code size and
 * SPDX/pragma in Solidity test files, and code size in coverage builds, where instrumentation inflates
 * the contracts — and a warning it hides must not fail the build either, or the build fails with no message.
 */
export function isProjectWarning(error: LocatedError, mode: BuildMode = { coverage: false }): boolean {
  if (error.severity !== "warning") return false;
  const code = error.errorCode ?? "";
  if (mode.coverage && CODE_SIZE_WARNINGS.has(code)) return false;
  const file = error.sourceLocation?.file;
  if (file === undefined) return true;
  if (file.startsWith("npm/")) return false;
  const isTestFile = file.startsWith("project/test/") || file.endsWith(".t.sol");
  return !(isTestFile && (CODE_SIZE_WARNINGS.has(code) || TEST_FILE_TOLERATED.has(code)));
}

export function promoteWarning(error: CompilerOutputError): CompilerOutputError {
  return {
    ...error,
    severity: "error",
    type: "Error",
    formattedMessage: `Error (a warning; this project treats warnings as errors): ${error.formattedMessage ?? error.message}`,
  };
}

export default async (): Promise<Partial<SolidityHooks>> => ({
  invokeSolc: async (context, compiler, solcInput, solcConfig, next) => {
    const output = await next(context, compiler, solcInput, solcConfig);
    if (output.errors === undefined) return output;
    const mode: BuildMode = { coverage: context.globalOptions.coverage === true };
    return {
      ...output,
      errors: output.errors.map((error) => (isProjectWarning(error, mode) ? promoteWarning(error) : error)),
    };
  },
});
