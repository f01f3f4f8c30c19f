/**
 * unbounded-loop: a loop that can run in a state-changing transaction must not be bounded by storage
 * (the length of a storage array, a counter kept in storage, a linked list walked through storage...),
 * because storage grows with use and the transaction would eventually exceed the block gas limit.
 *
 * Which loops: loops in external/public non-view functions (and receive/fallback) of contracts, in the
 * same-file functions and modifiers they call by name (transitively), and in every library or free function
 * (they run in their caller's transaction, whoever that is).
 *
 * When a loop is bounded: its condition is split on `&&` (bounded if any side is) and `||` (bounded if both
 * are); a side is bounded when nothing in it is storage-derived. Storage-derived ("tainted") are: mutable
 * state variables, `storage` locals and parameters, identifiers the file does not declare (inherited state),
 * results of calls (they may read storage), and locals that are assigned a tainted value anywhere in the
 * function. Not tainted: literals, non-storage parameters (the caller chooses and pays for them),
 * constants and immutables (and any ALL_CAPS name), type and library names, `msg`/`block`/`tx`,
 * type conversions and pure built-ins of untainted arguments, and `min(a, b)` / `Math.min(a, b)` with at
 * least one untainted argument. `while (true)` and `for (;;)` have no bound.
 *
 * Justify a loop that is bounded for a reason the detector cannot see with `// bounded: <reason>` on the
 * loop's first line, or in the comment lines directly above it.
 */
import {
  type ContractInfo,
  type FunctionInfo,
  type LocalInfo,
  callArguments,
  calleeOf,
  displayName,
  fileConstants,
  functionsByName,
  internalCallees,
  localsOf,
  modelOf,
  stateVarsOf,
} from "./model.js";
import { type SNode, child, descendants, snippet, textOf, unwrap } from "./tree.js";
import type { Detector, Finding, ParsedFile } from "./types.js";

export const NAME = "unbounded-loop";

const LOOP_KINDS = new Set(["ForStatement", "WhileStatement", "DoWhileStatement"]);
const GLOBALS = new Set(["msg", "block", "tx", "abi", "this", "super", "now", "type", "bytes", "string"]);
/** Built-ins whose result is bounded when their arguments are. */
const PURE_BUILTINS = new Set([
  "keccak256",
  "sha256",
  "ripemd160",
  "ecrecover",
  "addmod",
  "mulmod",
  "gasleft",
  "blockhash",
  "blobhash",
]);
const JUSTIFICATION = /\/\/\s*bounded:\s*\S/i;

/** Functions whose loops are checked, each with the entry point it is reached from. */
function functionsToCheck(file: ParsedFile): Map<FunctionInfo, FunctionInfo> {
  const { contracts, freeFunctions } = modelOf(file);
  const byName = functionsByName(file);
  const reachedFrom = new Map<FunctionInfo, FunctionInfo>();
  const visit = (fn: FunctionInfo, entry: FunctionInfo): void => {
    if (reachedFrom.has(fn)) return;
    reachedFrom.set(fn, entry);
    for (const g of internalCallees(fn, byName)) visit(g, entry);
  };
  for (const c of contracts) {
    for (const fn of c.functions) {
      const entry =
        c.kind === "library" ||
        ((fn.visibility === "external" || fn.visibility === "public") &&
          fn.mutability !== "view" &&
          fn.mutability !== "pure" &&
          fn.kind !== "constructor" &&
          fn.kind !== "modifier");
      if (entry) visit(fn, fn);
    }
  }
  for (const fn of freeFunctions) visit(fn, fn);
  return reachedFrom;
}

class Taint {
  private readonly tainted = new Set<string>();
  private readonly locals: Map<string, LocalInfo>;
  private readonly stateVars: Map<string, { constant: boolean; immutable: boolean }>;
  private readonly constants: Set<string>;
  private readonly pureFunctions: Set<string>;
  private readonly source: string;

  constructor(fn: FunctionInfo, contract: ContractInfo | undefined, file: ParsedFile) {
    this.source = file.source;
    this.locals = localsOf(fn);
    this.stateVars = contract === undefined ? new Map() : stateVarsOf(contract);
    this.constants = fileConstants(file);
    this.pureFunctions = new Set(
      [...functionsByName(file).values()]
        .flat()
        .filter((g) => g.mutability === "pure")
        .map((g) => g.name),
    );
    for (const l of this.locals.values()) if (l.location === "storage") this.tainted.add(l.name);
    // Fixpoint: a local is tainted once any value assigned to it is.
    for (let changed = true; changed;) {
      changed = false;
      for (const l of this.locals.values()) {
        if (this.tainted.has(l.name) || l.isParam) continue;
        if (l.values.some((v) => this.expr(v))) {
          this.tainted.add(l.name);
          changed = true;
        }
      }
    }
  }

  identifier(name: string): boolean {
    if (GLOBALS.has(name) || this.constants.has(name)) return false;
    if (/^[A-Z_][A-Z0-9_]*$/.test(name) && /[A-Z]/.test(name)) return false; // CONSTANT_CASE
    const local = this.locals.get(name);
    if (local !== undefined) return local.location === "storage" || this.tainted.has(name);
    const sv = this.stateVars.get(name);
    if (sv !== undefined) return !sv.constant && !sv.immutable;
    if (/^[A-Z]/.test(name)) return false; // a type, contract or library name
    return true; // undeclared here: inherited state, or something we cannot see
  }

  /** Whether an Expression is storage-derived. */
  expr(e: SNode | undefined): boolean {
    const v = unwrap(e);
    if (v === undefined) return false;
    if (v.terminal) return v.kind === "Identifier" ? this.identifier(v.text) : false;
    switch (v.kind) {
      case "DecimalNumberExpression":
      case "HexNumberExpression":
      case "StringExpression":
      case "TypeExpression":
      case "ElementaryType":
        return false;
      case "MemberAccessExpression":
        return this.expr(child(v, "Operand"));
      case "FunctionCallExpression":
        return this.call(v);
      case "ConditionalExpression": {
        const minMax = this.minMax(v);
        return minMax ?? this.anyNested(v);
      }
      default:
        return this.anyNested(v);
    }
  }

  private anyNested(n: SNode): boolean {
    for (const c of n.children) {
      if (c.kind === "Expression") {
        if (this.expr(c)) return true;
      } else if (!c.terminal && this.anyNested(c)) return true;
    }
    return false;
  }

  /**
   * A hand-written min or max, `a < b ? a : b` (any of < <= > >=, either branch order): the taint of a
   * min(a, b) or max(a, b). Undefined for any other conditional.
   */
  private minMax(cond: SNode): boolean | undefined {
    const test = unwrap(child(cond, "Operand"));
    if (test?.kind !== "InequalityExpression") return undefined;
    const op = child(test, "Operator")?.kind ?? "";
    const left = child(test, "LeftOperand");
    const right = child(test, "RightOperand");
    const whenTrue = child(cond, "TrueExpression");
    const whenFalse = child(cond, "FalseExpression");
    if (left === undefined || right === undefined || whenTrue === undefined || whenFalse === undefined) {
      return undefined;
    }
    const text = (n: SNode): string => textOf(this.source, n).replace(/\s+/g, "");
    const less = op === "LessThan" || op === "LessThanEqual";
    let isMin: boolean;
    if (text(whenTrue) === text(left) && text(whenFalse) === text(right)) isMin = less;
    else if (text(whenTrue) === text(right) && text(whenFalse) === text(left)) isMin = !less;
    else return undefined;
    return isMin ? this.expr(left) && this.expr(right) : this.expr(left) || this.expr(right);
  }

  private call(call: SNode): boolean {
    const callee = calleeOf(call);
    const args = callArguments(call);
    const anyArg = (): boolean => args.some((a) => this.expr(a));
    if (callee.options.length > 0) return true;
    if (callee.name === "min") return args.length === 0 || args.every((a) => this.expr(a));
    const node = callee.node;
    if (node === undefined) return true;
    // Type conversions: uint256(x), payable(x), IFoo(x), MyStruct(...).
    if (node.kind === "ElementaryType" || node.kind === "PayableKeyword") return anyArg();
    if (node.kind === "Identifier") {
      if (/^[A-Z]/.test(node.text) || PURE_BUILTINS.has(node.text) || this.pureFunctions.has(node.text)) {
        return anyArg();
      }
      return true;
    }
    if (node.kind === "MemberAccessExpression") {
      const receiver = unwrap(callee.receiver);
      // Library or built-in namespace calls on values: Math.max(a, b), SafeCast.toUint64(x), abi.encode(x).
      if (receiver?.kind === "Identifier" && (/^[A-Z]/.test(receiver.text) || receiver.text === "abi")) {
        return anyArg();
      }
      return true;
    }
    return true;
  }

  /** Whether a loop condition bounds the loop. */
  bounds(cond: SNode | undefined): boolean {
    const v = unwrap(cond);
    if (v === undefined) return false; // for (;;)
    if (v.kind === "TrueKeyword") return false;
    if (v.kind === "AndExpression")
      return this.bounds(child(v, "LeftOperand")) || this.bounds(child(v, "RightOperand"));
    if (v.kind === "OrExpression")
      return this.bounds(child(v, "LeftOperand")) && this.bounds(child(v, "RightOperand"));
    return !this.expr(v);
  }
}

function loopCondition(loop: SNode): SNode | undefined {
  if (loop.kind === "ForStatement") return child(unwrap(child(loop, "Condition")), "Expression");
  return child(loop, "Condition");
}

/** `// bounded: <reason>` on the loop's first line, or in the comment lines directly above it. */
export function isJustified(file: ParsedFile, line: number): boolean {
  if (JUSTIFICATION.test(file.lines[line - 1] ?? "")) return true;
  for (let l = line - 1; l >= 1; l--) {
    const text = (file.lines[l - 1] ?? "").trim();
    if (!text.startsWith("//")) break;
    if (JUSTIFICATION.test(text)) return true;
  }
  return false;
}

export function unboundedLoop(file: ParsedFile): Finding[] {
  const findings: Finding[] = [];
  for (const [fn, entry] of functionsToCheck(file)) {
    if (fn.body === undefined) continue;
    const loops = [...descendants(fn.body)].filter((d) => LOOP_KINDS.has(d.kind));
    if (loops.length === 0) continue;
    const taint = new Taint(fn, fn.contract, file);
    for (const loop of loops) {
      const cond = loopCondition(loop);
      if (taint.bounds(cond)) continue;
      if (isJustified(file, loop.line)) continue;
      const where =
        fn === entry ? displayName(fn) : `${displayName(fn)} (reached from ${displayName(entry)})`;
      const noBound = cond === undefined || unwrap(cond)?.kind === "TrueKeyword";
      const problem = noBound
        ? "has no bound in its condition"
        : `is bounded by storage-derived state (\`${snippet(file.source, cond)}\`)`;
      findings.push({
        detector: NAME,
        file: file.path,
        line: loop.line,
        message:
          `loop in ${where} ${problem}; bound it by a parameter or min(..., limit), or justify it with ` +
          "`// bounded: <reason>`",
      });
    }
  }
  return findings;
}

export const detector: Detector = {
  name: NAME,
  description: "no storage-bounded loop in code a state-changing transaction can run",
  run: unboundedLoop,
};
