import type { SolidityHooks } from "hardhat/types/hooks";
import type { CompilerOutputError } from "hardhat/types/solidity";

/** solc's error object also carries the location, which Hardhat's type leaves out. */
type LocatedError = CompilerOutputError & { sourceLocation?: { file: string } };

/** Input source names of dependencies start with `npm/`; the project's own start with `project/`. */
export function isProjectWarning(error: LocatedError): boolean {
  if (error.severity !== "warning") return false;
  const file = error.sourceLocation?.file;
  return file === undefined || !file.startsWith("npm/");
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
