/**
 * A syntactic model of a Solidity file: its contracts, their state variables and functions, each
 * function's parameters and locals, NatSpec, and a few expression helpers shared by the detectors.
 * Names are resolved by name only (no binding graph): shadowing and overloads are merged, which is the
 * conservative choice for every detector here.
 */
import {
  type SNode,
  child,
  childrenLabelled,
  descendants,
  descendantsOfKind,
  nameOf,
  unwrap,
} from "./tree.js";
import type { ParsedFile, Project } from "./types.js";

export type ContractKind = "contract" | "interface" | "library";
export type FunctionKind = "function" | "constructor" | "receive" | "fallback" | "modifier";
export type Visibility = "external" | "public" | "internal" | "private";
export type Mutability = "view" | "pure" | "payable" | "nonpayable";
export type Location = "storage" | "memory" | "calldata" | "transient";

export interface StateVarInfo {
  name: string;
  constant: boolean;
  immutable: boolean;
  node: SNode;
}

export interface ContractInfo {
  file: ParsedFile;
  node: SNode;
  name: string;
  kind: ContractKind;
  abstract: boolean;
  bases: string[];
  stateVars: Map<string, StateVarInfo>;
  functions: FunctionInfo[];
}

export interface VarInfo {
  name: string;
  location: Location | undefined;
  node: SNode;
}

export interface ModifierUse {
  name: string;
  node: SNode;
}

export interface FunctionInfo {
  file: ParsedFile;
  /** Undefined for free (file-level) functions. */
  contract: ContractInfo | undefined;
  node: SNode;
  name: string;
  kind: FunctionKind;
  /** Explicit visibility; free functions and modifiers are "internal". */
  visibility: Visibility;
  mutability: Mutability;
  modifiers: ModifierUse[];
  params: VarInfo[];
  returns: VarInfo[];
  body: SNode | undefined;
  /** 1-based line of the definition's first token. */
  line: number;
}

const cache = new WeakMap<ParsedFile, { contracts: ContractInfo[]; freeFunctions: FunctionInfo[] }>();

export function modelOf(file: ParsedFile): { contracts: ContractInfo[]; freeFunctions: FunctionInfo[] } {
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  const contracts: ContractInfo[] = [];
  const freeFunctions: FunctionInfo[] = [];
  const members = childrenLabelled(child(file.root, "Members"), "Item").map((m) => unwrap(m));
  for (const m of members) {
    if (m === undefined) continue;
    if (
      m.kind === "ContractDefinition" ||
      m.kind === "InterfaceDefinition" ||
      m.kind === "LibraryDefinition"
    ) {
      contracts.push(buildContract(file, m));
    } else if (m.kind === "FunctionDefinition") {
      freeFunctions.push(buildFunction(file, undefined, m));
    }
  }
  const model = { contracts, freeFunctions };
  cache.set(file, model);
  return model;
}

function buildContract(file: ParsedFile, node: SNode): ContractInfo {
  const kind: ContractKind =
    node.kind === "ContractDefinition"
      ? "contract"
      : node.kind === "InterfaceDefinition"
        ? "interface"
        : "library";
  const info: ContractInfo = {
    file,
    node,
    name: nameOf(child(node, "Name")) ?? "?",
    kind,
    abstract: child(node, "AbstractKeyword") !== undefined,
    bases: descendantsOfKind(node, "InheritanceType")
      .map((t) => nameOf(child(t, "TypeName")))
      .filter((n): n is string => n !== undefined),
    stateVars: new Map(),
    functions: [],
  };
  for (const item of childrenLabelled(child(node, "Members"), "Item")) {
    const m = unwrap(item);
    if (m === undefined) continue;
    if (m.kind === "StateVariableDefinition") {
      const attrs = childrenLabelled(child(m, "Attributes"), "Item").map((a) => unwrap(a)?.kind);
      const name = nameOf(child(m, "Name"));
      if (name !== undefined) {
        info.stateVars.set(name, {
          name,
          constant: attrs.includes("ConstantKeyword"),
          immutable: attrs.includes("ImmutableKeyword"),
          node: m,
        });
      }
    } else if (
      m.kind === "FunctionDefinition" ||
      m.kind === "ConstructorDefinition" ||
      m.kind === "ReceiveFunctionDefinition" ||
      m.kind === "FallbackFunctionDefinition" ||
      m.kind === "ModifierDefinition"
    ) {
      info.functions.push(buildFunction(file, info, m));
    }
  }
  return info;
}

const KIND_BY_NODE: Record<string, FunctionKind> = {
  FunctionDefinition: "function",
  ConstructorDefinition: "constructor",
  ReceiveFunctionDefinition: "receive",
  FallbackFunctionDefinition: "fallback",
  ModifierDefinition: "modifier",
};

function buildFunction(file: ParsedFile, contract: ContractInfo | undefined, node: SNode): FunctionInfo {
  const kind = KIND_BY_NODE[node.kind] ?? "function";
  let visibility: Visibility | undefined;
  let mutability: Mutability = "nonpayable";
  const modifiers: ModifierUse[] = [];
  for (const item of childrenLabelled(child(node, "Attributes"), "Item")) {
    const a = unwrap(item);
    switch (a?.kind) {
      case "ExternalKeyword":
        visibility = "external";
        break;
      case "PublicKeyword":
        visibility = "public";
        break;
      case "InternalKeyword":
        visibility = "internal";
        break;
      case "PrivateKeyword":
        visibility = "private";
        break;
      case "ViewKeyword":
      case "ConstantKeyword":
        mutability = "view";
        break;
      case "PureKeyword":
        mutability = "pure";
        break;
      case "PayableKeyword":
        mutability = "payable";
        break;
      case "ModifierInvocation":
        modifiers.push({ name: nameOf(child(a, "Name")) ?? "?", node: a });
        break;
      default:
        break;
    }
  }
  if (visibility === undefined) {
    // receive/fallback are always external; constructors are public; modifiers and free functions internal.
    visibility =
      kind === "receive" || kind === "fallback" ? "external" : kind === "constructor" ? "public" : "internal";
  }
  let name: string = kind;
  if (kind === "function" || kind === "modifier") name = unwrap(child(node, "Name"))?.text ?? kind;
  const bodyNode = unwrap(child(node, "Body"));
  return {
    file,
    contract,
    node,
    name,
    kind,
    visibility,
    mutability,
    modifiers,
    params: paramsOf(child(node, "Parameters")),
    returns: paramsOf(child(child(node, "Returns"), "Variables")),
    body: bodyNode !== undefined && bodyNode.kind === "Block" ? bodyNode : undefined,
    line: node.line,
  };
}

function locationOf(n: SNode | undefined): Location | undefined {
  switch (unwrap(n)?.kind) {
    case "StorageKeyword":
      return "storage";
    case "MemoryKeyword":
      return "memory";
    case "CallDataKeyword":
      return "calldata";
    default:
      return undefined;
  }
}

function paramsOf(decl: SNode | undefined): VarInfo[] {
  if (decl === undefined) return [];
  return descendantsOfKind(decl, "Parameter").flatMap((p) => {
    const name = nameOf(child(p, "Name"));
    return name === undefined ? [] : [{ name, location: locationOf(child(p, "StorageLocation")), node: p }];
  });
}

/** Display name used in messages: `Contract.fn()`. */
export function displayName(fn: FunctionInfo): string {
  const own = fn.kind === "function" || fn.kind === "modifier" ? `${fn.name}()` : fn.kind;
  return fn.contract === undefined ? own : `${fn.contract.name}.${own}`;
}

/** Every contract, interface or library of that name in the project (normally at most one). */
export function findContracts(project: Project, name: string): ContractInfo[] {
  return project.files.flatMap((f) => modelOf(f).contracts.filter((c) => c.name === name));
}

/** The contract's state variables, including those of its bases that are in the project. */
export function stateVarsOf(contract: ContractInfo, seen = new Set<string>()): Map<string, StateVarInfo> {
  const out = new Map<string, StateVarInfo>();
  if (seen.has(contract.name)) return out;
  seen.add(contract.name);
  for (const base of contract.bases) {
    for (const c of findContracts(contract.file.project, base)) {
      for (const [k, v] of stateVarsOf(c, seen)) out.set(k, v);
    }
  }
  for (const [k, v] of contract.stateVars) out.set(k, v);
  return out;
}

/** File-level `constant` definitions. */
export function fileConstants(file: ParsedFile): Set<string> {
  const out = new Set<string>();
  for (const c of descendantsOfKind(file.root, "ConstantDefinition")) {
    const name = nameOf(child(c, "Name"));
    if (name !== undefined) out.add(name);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Locals

export interface LocalInfo {
  name: string;
  location: Location | undefined;
  isParam: boolean;
  /** Expressions assigned to it anywhere in the function (declaration value and assignments). */
  values: SNode[];
}

/**
 * Parameters, named returns and locals of a function, each with every expression assigned to it.
 * Scopes are ignored (names are merged), which only ever adds values.
 */
export function localsOf(fn: FunctionInfo): Map<string, LocalInfo> {
  const locals = new Map<string, LocalInfo>();
  const declare = (name: string, location: Location | undefined, isParam: boolean): LocalInfo => {
    let l = locals.get(name);
    if (l === undefined) {
      l = { name, location, isParam, values: [] };
      locals.set(name, l);
    }
    return l;
  };
  for (const p of fn.params) declare(p.name, p.location, true);
  for (const p of fn.returns) declare(p.name, p.location, false);
  if (fn.body === undefined) return locals;
  for (const d of descendants(fn.body)) {
    if (d.kind === "VariableDeclarationStatement") {
      const name = nameOf(child(d, "Name"));
      if (name === undefined) continue;
      const l = declare(name, locationOf(child(d, "StorageLocation")), false);
      const value = child(child(d, "Value"), "Expression");
      if (value !== undefined) l.values.push(value);
    } else if (d.kind === "TupleDeconstructionStatement") {
      const value = child(d, "Expression");
      for (const m of descendantsOfKind(d, "TypedTupleMember").concat(
        descendantsOfKind(d, "UntypedTupleMember"),
      )) {
        const name = nameOf(child(m, "Name"));
        if (name === undefined) continue;
        const l = declare(name, locationOf(child(m, "StorageLocation")), false);
        if (value !== undefined) l.values.push(value);
      }
    } else if (d.kind === "Parameter") {
      // try/catch return values and catch-clause parameters.
      const name = nameOf(child(d, "Name"));
      if (name !== undefined) declare(name, locationOf(child(d, "StorageLocation")), false);
    }
  }
  for (const a of descendantsOfKind(fn.body, "AssignmentExpression")) {
    const value = child(a, "RightOperand");
    if (value === undefined) continue;
    for (const target of assignedNames(child(a, "LeftOperand"))) locals.get(target)?.values.push(value);
  }
  return locals;
}

/** Bare identifiers assigned by a left operand: `x`, or each name in a tuple `(x, , y)`. */
function assignedNames(lhs: SNode | undefined): string[] {
  const v = unwrap(lhs);
  if (v === undefined) return [];
  if (v.terminal && v.kind === "Identifier") return [v.text];
  if (v.kind === "TupleExpression") {
    return descendantsOfKind(v, "Expression")
      .filter((e) => e.parent?.kind === "TupleValue")
      .flatMap((e) => assignedNames(e));
  }
  return [];
}

// ---------------------------------------------------------------------------------------------------
// Expressions

/**
 * The identifier an lvalue or access chain is rooted at: `$.a[i].b` -> `$`, `x` -> `x`.
 * Undefined when the root is not a plain identifier (a call result, `this`, a literal...).
 */
export function rootIdentifier(expr: SNode | undefined): SNode | undefined {
  let v = unwrap(expr);
  while (v !== undefined) {
    if (v.terminal) return v.kind === "Identifier" ? v : undefined;
    if (v.kind === "MemberAccessExpression" || v.kind === "IndexAccessExpression") {
      v = unwrap(child(v, "Operand"));
    } else if (v.kind === "TupleExpression") {
      // `(x)` — a parenthesised single value.
      const items = descendantsOfKind(v, "TupleValue");
      if (items.length !== 1) return undefined;
      v = unwrap(child(items[0], "Expression"));
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** The positional (or named) argument expressions of a FunctionCallExpression. */
export function callArguments(call: SNode): SNode[] {
  const args = unwrap(child(call, "Arguments"));
  if (args === undefined) return [];
  return descendantsOfKind(args, "Expression").filter(
    (e) => e.parent?.kind === "PositionalArguments" || e.parent?.kind === "NamedArgument",
  );
}

export interface Callee {
  /** The called name: `f` for `f(...)`, `m` for `x.m(...)`. */
  name: string | undefined;
  /** The receiver of a member call, `x` in `x.m(...)`. */
  receiver: SNode | undefined;
  /** Names of call options, `value` and `gas` in `x.call{value: v, gas: g}(...)`. */
  options: string[];
  /** The unwrapped callee node (Identifier, MemberAccessExpression, ElementaryType, ...). */
  node: SNode | undefined;
}

export function calleeOf(call: SNode): Callee {
  let v = unwrap(child(call, "Operand"));
  const options: string[] = [];
  if (v?.kind === "CallOptionsExpression") {
    for (const opt of descendantsOfKind(v, "NamedArgument")) {
      const n = nameOf(child(opt, "Name"));
      if (n !== undefined) options.push(n);
    }
    v = unwrap(child(v, "Operand"));
  }
  if (v === undefined) return { name: undefined, receiver: undefined, options, node: v };
  if (v.terminal) return { name: v.text, receiver: undefined, options, node: v };
  if (v.kind === "MemberAccessExpression") {
    return { name: nameOf(child(v, "Member")), receiver: child(v, "Operand"), options, node: v };
  }
  return { name: undefined, receiver: undefined, options, node: v };
}

/** The text of the NatSpec comments (`///` and `/** *\/`) in a definition's leading trivia. */
export function natspecOf(def: SNode): string {
  return def.trivia
    .filter(
      (t) => t.leading && (t.kind === "SingleLineNatSpecComment" || t.kind === "MultiLineNatSpecComment"),
    )
    .map((t) => t.text)
    .join("\n");
}

/** Same-file functions by name (overloads merged), for the by-name call graph. */
export function functionsByName(file: ParsedFile): Map<string, FunctionInfo[]> {
  const out = new Map<string, FunctionInfo[]>();
  const m = modelOf(file);
  for (const fn of m.contracts.flatMap((c) => c.functions).concat(m.freeFunctions)) {
    const list = out.get(fn.name) ?? [];
    list.push(fn);
    out.set(fn.name, list);
  }
  return out;
}

/**
 * Same-file functions a function calls by bare name (`_f(...)`) or through its modifiers. Calls through a
 * receiver (`x.f()`, `super.f()`, `Lib.f()`) are not followed.
 */
export function internalCallees(fn: FunctionInfo, byName: Map<string, FunctionInfo[]>): FunctionInfo[] {
  const out = new Set<FunctionInfo>();
  const sameScope = (g: FunctionInfo): boolean => g.contract === undefined || g.contract.file === fn.file;
  for (const mod of fn.modifiers) {
    for (const g of byName.get(mod.name) ?? []) if (g.kind === "modifier" && sameScope(g)) out.add(g);
  }
  if (fn.body !== undefined) {
    for (const call of descendantsOfKind(fn.body, "FunctionCallExpression")) {
      const callee = calleeOf(call);
      if (callee.receiver !== undefined || callee.name === undefined) continue;
      for (const g of byName.get(callee.name) ?? []) if (g.kind === "function" && sameScope(g)) out.add(g);
    }
  }
  out.delete(fn);
  return [...out];
}
