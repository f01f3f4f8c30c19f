import type { SolidityHooks } from "hardhat/types/hooks";
import type { CompilerOutputError } from "hardhat/types/solidity";

/** solc's error object also carries the location, which Hardhat's type leaves out. */
type LocatedError = CompilerOutputError & { sourceLocation?: { file: string } };

/**
 * Size limits do not apply to test contracts (they are never deployed to a real chain, and a test that
 * deploys the core contracts embeds their creation code); Hardhat itself suppresses these two warnings
 * for test files, so they must not be promoted here either.
 */
const TEST_ONLY_WARNINGS = ["Contract code size is", "Contract initcode size is"];

function isTestFile(file: string): boolean {
  return file.startsWith("project/test/") || file.endsWith(".t.sol");
}

/** Input source names of dependencies start with `npm/`; the project's own start with `project/`. */
export function isProjectWarning(error: LocatedError): boolean {
  if (error.severity !== "warning") return false;
  const file = error.sourceLocation?.file;
  if (file === undefined) return true;
  if (file.startsWith("npm/")) return false;
  const message = error.formattedMessage ?? error.message;
  return !(isTestFile(file) && TEST_ONLY_WARNINGS.some((warning) => message.includes(warning)));
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
