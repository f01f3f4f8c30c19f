/**
 * checks-effects-interactions: in a function that transfers value, no state is written after the first
 * transfer. A transfer hands control to another contract (a token hook, a receiver's fallback), which can
 * re-enter while the state still says the transfer has not happened.
 *
 * Interactions: calls to `safeTransfer`, `safeTransferFrom`, `transfer`, `transferFrom`, `send`,
 * `sendValue` or `functionCallWithValue` through a receiver (`token.transfer(...)`, `SafeERC20.safeTransfer
 * (token, ...)`; `super.transfer(...)` is not one), any call with a `{value: ...}` option, and calls by
 * name to a function of the same file that (transitively) makes one.
 *
 * Writes: assignments (`=`, `+=`, ...), `++`/`--` and `delete` whose target is rooted at a state variable or
 * at a `storage` local or parameter (struct fields and mapping entries included; re-pointing a storage
 * local is not a write); `push`/`pop`/`add`/`remove`/`set`/`insert` calls on a storage-rooted receiver;
 * calls by name to a same-file function that (transitively) writes.
 *
 * Approximation: one linear path. Statements are taken in source order and a write counts when it ends after
 * the end of the first interaction, whatever branch either is in; writes before a transfer in a later loop
 * iteration are not seen. A write in another branch than the transfer is a false positive: restructure, or
 * suppress it with `// detectors-disable-next-line checks-effects-interactions -- <reason>`.
 */
import {
  type FunctionInfo,
  type LocalInfo,
  calleeOf,
  displayName,
  functionsByName,
  internalCallees,
  localsOf,
  modelOf,
  rootIdentifier,
} from "./model.js";
import { type SNode, child, descendants, snippet, unwrap } from "./tree.js";
import type { Detector, Finding, ParsedFile } from "./types.js";

export const NAME = "checks-effects-interactions";

const TRANSFER_NAMES = new Set([
  "safeTransfer",
  "safeTransferFrom",
  "transfer",
  "transferFrom",
  "send",
  "sendValue",
  "functionCallWithValue",
]);
const MUTATING_MEMBERS = new Set(["push", "pop", "add", "remove", "set", "insert"]);

interface Event {
  node: SNode;
  end: number;
  what: string;
}

/** Whether an lvalue writes storage: rooted at a state variable or storage pointer, not a plain local. */
function writesStorage(lhs: SNode | undefined, locals: Map<string, LocalInfo>, allowBare: boolean): boolean {
  const root = rootIdentifier(lhs);
  if (root === undefined) return false;
  const local = locals.get(root.text);
  if (local === undefined) return true; // not a local or parameter: a state variable
  if (local.location !== "storage") return false;
  // `p = $.items[i]` re-points a storage local; `p.x = 1` or `delete p` writes through it.
  return allowBare || unwrap(lhs)?.kind !== "Identifier";
}

function directInteractions(fn: FunctionInfo, file: ParsedFile): Event[] {
  if (fn.body === undefined) return [];
  const out: Event[] = [];
  for (const d of descendants(fn.body)) {
    if (d.kind !== "FunctionCallExpression") continue;
    const callee = calleeOf(d);
    const receiver = unwrap(callee.receiver);
    const viaReceiver = receiver !== undefined && receiver.kind !== "SuperKeyword";
    if (callee.options.includes("value") || (viaReceiver && TRANSFER_NAMES.has(callee.name ?? ""))) {
      out.push({ node: d, end: d.end, what: `\`${snippet(file.source, d)}\`` });
    }
  }
  return out;
}

function directWrites(fn: FunctionInfo, file: ParsedFile): Event[] {
  if (fn.body === undefined) return [];
  const locals = localsOf(fn);
  const out: Event[] = [];
  for (const d of descendants(fn.body)) {
    let write = false;
    if (d.kind === "AssignmentExpression") {
      write = writesStorage(child(d, "LeftOperand"), locals, false);
    } else if (d.kind === "PrefixExpression" || d.kind === "PostfixExpression") {
      const op = child(d, "Operator")?.kind;
      if (op === "PlusPlus" || op === "MinusMinus" || op === "DeleteKeyword") {
        write = writesStorage(child(d, "Operand"), locals, true);
      }
    } else if (d.kind === "FunctionCallExpression") {
      const callee = calleeOf(d);
      if (callee.receiver !== undefined && MUTATING_MEMBERS.has(callee.name ?? "")) {
        write = writesStorage(callee.receiver, locals, true);
      }
    }
    if (write) out.push({ node: d, end: d.end, what: `\`${snippet(file.source, d)}\`` });
  }
  return out;
}

/** Same-file functions that (transitively) satisfy `direct`. */
function transitively(
  fns: FunctionInfo[],
  byName: Map<string, FunctionInfo[]>,
  direct: (fn: FunctionInfo) => boolean,
): Set<FunctionInfo> {
  const result = new Set(fns.filter(direct));
  for (let changed = true; changed;) {
    changed = false;
    for (const fn of fns) {
      if (result.has(fn)) continue;
      if (internalCallees(fn, byName).some((g) => result.has(g))) {
        result.add(fn);
        changed = true;
      }
    }
  }
  return result;
}

/** Calls by name in `fn` to a function in `set`. */
function callsInto(
  fn: FunctionInfo,
  set: Set<FunctionInfo>,
  byName: Map<string, FunctionInfo[]>,
  verb: string,
): Event[] {
  if (fn.body === undefined) return [];
  const out: Event[] = [];
  for (const d of descendants(fn.body)) {
    if (d.kind !== "FunctionCallExpression") continue;
    const callee = calleeOf(d);
    if (callee.receiver !== undefined || callee.name === undefined) continue;
    if ((byName.get(callee.name) ?? []).some((g) => g.kind === "function" && set.has(g))) {
      out.push({ node: d, end: d.end, what: `\`${callee.name}(...)\`, which ${verb}` });
    }
  }
  return out;
}

export function checksEffectsInteractions(file: ParsedFile): Finding[] {
  const { contracts, freeFunctions } = modelOf(file);
  const fns = contracts
    .filter((c) => c.kind !== "interface")
    .flatMap((c) => c.functions)
    .concat(freeFunctions)
    .filter((fn) => fn.body !== undefined);
  const byName = functionsByName(file);
  const interacting = transitively(fns, byName, (fn) => directInteractions(fn, file).length > 0);
  const writing = transitively(fns, byName, (fn) => directWrites(fn, file).length > 0);

  const findings: Finding[] = [];
  for (const fn of fns) {
    const interactions = directInteractions(fn, file)
      .concat(callsInto(fn, interacting, byName, "transfers value"))
      .sort((a, b) => a.end - b.end);
    const first = interactions[0];
    if (first === undefined) continue;
    const writes = directWrites(fn, file).concat(callsInto(fn, writing, byName, "writes state"));
    for (const w of writes.sort((a, b) => a.end - b.end)) {
      if (w.end <= first.end || w.node === first.node) continue;
      findings.push({
        detector: NAME,
        file: file.path,
        line: w.node.line,
        message:
          `state written by ${w.what} after the value transfer ${first.what} (line ${first.node.line}) in ` +
          `${displayName(fn)}; write state before the transfer`,
      });
    }
  }
  return findings;
}

export const detector: Detector = {
  name: NAME,
  description: "no state write after the first value transfer of a function (linear, source order)",
  run: checksEffectsInteractions,
};
