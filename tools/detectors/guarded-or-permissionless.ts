/**
 * guarded-or-permissionless: every external/public non-view, non-pure function (receive and fallback
 * included) declared in a non-abstract contract is either guarded or documented as permissionless, so that
 * no state-changing entry point is open by accident.
 *
 * Guarded: it has a modifier named `only...` (onlyRole, onlyOwner, onlyStakeManager, ...; not onlyProxy),
 * `initializer` or `reinitializer`; or its first statement after any local declarations is a check of
 * `msg.sender` / `_msgSender()` that reverts (`if (...msg.sender...) revert ...;` or `require(...msg.sender...)`),
 * or a call to `_checkRole(...)` / `_checkOwner()`.
 *
 * Documented: its NatSpec contains "Permissionless" or "anyone may call" (case-insensitive). `@inheritdoc X`
 * is followed to the function of the same name in X (an interface or contract of the project, normally
 * contracts/interfaces/X.sol), recursively. A function without any NatSpec inherits it from the same-named
 * function of its project bases, as solc does.
 */
import {
  type ContractInfo,
  type FunctionInfo,
  callArguments,
  calleeOf,
  displayName,
  findContracts,
  modelOf,
  natspecOf,
} from "./model.js";
import { type SNode, child, childrenLabelled, descendants, unwrap } from "./tree.js";
import type { Detector, Finding, ParsedFile, Project } from "./types.js";

export const NAME = "guarded-or-permissionless";

const GUARD_MODIFIERS = new Set(["initializer", "reinitializer"]);
const NOT_GUARDS = new Set(["onlyProxy", "onlyDelegateCall", "onlyInitializing"]);
const CHECK_CALLS = new Set(["_checkRole", "_checkOwner"]);
const PERMISSIONLESS = /permissionless|anyone may call/i;

function isGuardModifier(name: string): boolean {
  return GUARD_MODIFIERS.has(name) || (/^only[A-Z_]/.test(name) && !NOT_GUARDS.has(name));
}

function mentionsSender(n: SNode | undefined): boolean {
  if (n === undefined) return false;
  for (const d of [n, ...descendants(n)]) {
    if (d.kind === "MemberAccessExpression") {
      const op = unwrap(child(d, "Operand"));
      const member = child(d, "Member");
      if (op?.kind === "Identifier" && op.text === "msg" && member?.text === "sender") return true;
    } else if (d.kind === "FunctionCallExpression" && calleeOf(d).name === "_msgSender") {
      return true;
    }
  }
  return false;
}

function reverts(stmt: SNode | undefined): boolean {
  const s = unwrap(stmt);
  if (s === undefined) return false;
  if (s.kind === "RevertStatement") return true;
  if (s.kind === "Block") return childrenLabelled(child(s, "Statements"), "Item").some((i) => reverts(i));
  if (s.kind === "ExpressionStatement") {
    const e = unwrap(child(s, "Expression"));
    return e?.kind === "FunctionCallExpression" && calleeOf(e).name === "revert";
  }
  return false;
}

function isSenderCheck(stmt: SNode): boolean {
  const s = unwrap(stmt);
  if (s === undefined) return false;
  if (s.kind === "IfStatement") return mentionsSender(child(s, "Condition")) && reverts(child(s, "Body"));
  if (s.kind === "ExpressionStatement") {
    const e = unwrap(child(s, "Expression"));
    if (e?.kind !== "FunctionCallExpression") return false;
    const callee = calleeOf(e);
    if (callee.name === "require") return mentionsSender(callArguments(e)[0]);
    return callee.name !== undefined && CHECK_CALLS.has(callee.name);
  }
  return false;
}

/** How the function is guarded, or undefined. */
export function guardOf(fn: FunctionInfo): string | undefined {
  const mod = fn.modifiers.find((m) => isGuardModifier(m.name));
  if (mod !== undefined) return `modifier ${mod.name}`;
  if (fn.body === undefined) return undefined;
  for (const item of childrenLabelled(child(fn.body, "Statements"), "Item")) {
    const s = unwrap(item);
    if (s?.kind === "VariableDeclarationStatement" || s?.kind === "TupleDeconstructionStatement") continue;
    return isSenderCheck(item) ? "leading caller check" : undefined;
  }
  return undefined;
}

interface DocResult {
  doc: string;
  /** Set when an @inheritdoc could not be followed. */
  unresolved?: string;
}

function sameNamed(contract: ContractInfo, name: string): FunctionInfo[] {
  return contract.functions.filter((f) => f.kind === "function" && f.name === name);
}

/** The NatSpec that applies to a function, following @inheritdoc and solc's implicit inheritance. */
export function effectiveDoc(fn: FunctionInfo, project: Project, depth = 0): DocResult {
  const own = natspecOf(fn.node);
  if (depth > 8) return { doc: own };
  const inherit = /@inheritdoc\s+([A-Za-z_$][\w$]*)/.exec(own);
  if (inherit !== null) {
    const target = inherit[1] ?? "";
    const bases = findContracts(project, target);
    const fromBase = bases.flatMap((b) => sameNamed(b, fn.name));
    if (fromBase.length === 0) {
      return {
        doc: own,
        unresolved:
          bases.length === 0
            ? `\`@inheritdoc ${target}\` names no contract in the project (expected contracts/interfaces/${target}.sol)`
            : `\`@inheritdoc ${target}\`: ${target} declares no ${fn.name}()`,
      };
    }
    const inherited = fromBase.map((b) => effectiveDoc(b, project, depth + 1));
    return {
      doc: [own, ...inherited.map((d) => d.doc)].join("\n"),
      unresolved: inherited.find((d) => d.unresolved)?.unresolved,
    };
  }
  if (own.trim() !== "" || fn.contract === undefined) return { doc: own };
  const inherited = fn.contract.bases
    .flatMap((b) => findContracts(project, b))
    .flatMap((b) => sameNamed(b, fn.name))
    .map((b) => effectiveDoc(b, project, depth + 1));
  return { doc: inherited.map((d) => d.doc).join("\n") };
}

export function guardedOrPermissionless(file: ParsedFile): Finding[] {
  const findings: Finding[] = [];
  for (const contract of modelOf(file).contracts) {
    if (contract.kind !== "contract" || contract.abstract) continue;
    for (const fn of contract.functions) {
      if (fn.kind === "constructor" || fn.kind === "modifier") continue;
      if (fn.visibility !== "external" && fn.visibility !== "public") continue;
      if (fn.mutability === "view" || fn.mutability === "pure") continue;
      if (guardOf(fn) !== undefined) continue;
      const { doc, unresolved } = effectiveDoc(fn, file.project);
      if (PERMISSIONLESS.test(doc)) continue;
      findings.push({
        detector: NAME,
        file: file.path,
        line: fn.line,
        message:
          `${displayName(fn)} is ${fn.visibility} and state-changing but neither guarded (only*/initializer ` +
          "modifier, a leading msg.sender check that reverts, _checkRole/_checkOwner) nor documented " +
          `"Permissionless" / "anyone may call" in its NatSpec${unresolved === undefined ? "" : `; ${unresolved}`}`,
      });
    }
  }
  return findings;
}

export const detector: Detector = {
  name: NAME,
  description: "every external/public state-changing function is guarded or documented as permissionless",
  run: guardedOrPermissionless,
};
