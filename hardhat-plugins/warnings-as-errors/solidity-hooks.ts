import type { SolidityHooks } from "hardhat/types/hooks";
import type { CompilerOutputError } from "hardhat/types/solidity";

/** solc's error object also carries the location, which Hardhat's type leaves out. */
type LocatedError = CompilerOutputError & { sourceLocation?: { file: string } };

/** solc's "contract code size exceeds 24576 bytes" and "initcode size exceeds 49152 bytes" warnings. */
const CODE_SIZE_WARNINGS = new Set(["5574", "3860"]);

/**
 * Whether a solc warning is about the project's own sources (input source names of dependencies start with
 * `npm/`; the project's own with `project/`). Code-size warnings about Solidity test files are left alone:
 * test contracts never go on a real chain, and Hardhat hides those warnings, so promoting them would fail
 * the build with no message.
 */
export function isProjectWarning(error: LocatedError): boolean {
  if (error.severity !== "warning") return false;
  const file = error.sourceLocation?.file;
  if (file === undefined) return true;
  if (file.startsWith("npm/")) return false;
  const isTestFile = file.startsWith("project/test/") || file.endsWith(".t.sol");
  return !(isTestFile && CODE_SIZE_WARNINGS.has(error.errorCode ?? ""));
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
    return {
      ...output,
      errors: output.errors.map((error) => (isProjectWarning(error) ? promoteWarning(error) : error)),
    };
  },
});
