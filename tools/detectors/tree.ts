/**
 * A light, plain-JavaScript copy of Slang's concrete syntax tree, with source positions.
 *
 * Slang's CST nodes live in WASM and carry no offsets (only cursors do), so the detectors work on this
 * copy: every node knows its kind, its edge label, its parent, its text offsets and the line of its
 * first token. Trivia (whitespace, comments, NatSpec) are kept apart from the syntactic children, on
 * the node that owns them, so that NatSpec can be read from a definition's leading trivia.
 */
import { type Node, TerminalKindExtensions } from "@nomicfoundation/slang/cst";
import type { TerminalKind } from "@nomicfoundation/slang/cst";
import { Parser } from "@nomicfoundation/slang/parser";
import { LanguageFacts } from "@nomicfoundation/slang/utils";

/** The Solidity version the project compiles with (hardhat.config.ts pins solc 0.8.30). */
export const SOLIDITY_VERSION = "0.8.30";

export interface Trivia {
  kind: string;
  text: string;
  /** 1-based line of the trivia's first character. */
  line: number;
  /** True for trivia before the owner's next token, false for trivia after its previous token. */
  leading: boolean;
}

export interface SNode {
  /** NonterminalKind or TerminalKind, e.g. "FunctionDefinition", "Identifier". */
  kind: string;
  /** Edge label from the parent, e.g. "Variant", "Operand", "Name". */
  label: string;
  terminal: boolean;
  /** A terminal's text (empty for nonterminals; use `textOf`). */
  text: string;
  /** UTF-16 offsets in the source (JavaScript string indices), trivia excluded at both ends. */
  start: number;
  end: number;
  /** 1-based line of the first token. */
  line: number;
  children: SNode[];
  trivia: Trivia[];
  parent: SNode | undefined;
}

let parser: Parser | undefined;

function getParser(): Parser {
  if (parser === undefined) {
    const version = LanguageFacts.allVersions().includes(SOLIDITY_VERSION)
      ? SOLIDITY_VERSION
      : LanguageFacts.latestVersion();
    parser = Parser.create(version);
  }
  return parser;
}

export class SolidityParseError extends Error {}

/** Parses Solidity source into an SNode tree. Throws SolidityParseError with positions if it is invalid. */
export function parseSolidity(path: string, source: string): SNode {
  const output = getParser().parseFileContents(source);
  const lineStarts = computeLineStarts(source);
  if (!output.isValid()) {
    const messages = output
      .errors()
      .map((e) => `${path}:${e.textRange.start.line + 1}: ${e.message}`)
      .join("\n");
    throw new SolidityParseError(`cannot parse ${path}:\n${messages}`);
  }
  return convert(output.tree, "Root", 0, undefined, lineStarts).node;
}

function computeLineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line of a UTF-16 offset. */
export function lineAt(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function convert(
  node: Node,
  label: string,
  offset: number,
  parent: SNode | undefined,
  lineStarts: number[],
): { node: SNode; next: number } {
  if (node.isTerminalNode()) {
    const text = node.unparse();
    const s: SNode = {
      kind: node.kind,
      label,
      terminal: true,
      text,
      start: offset,
      end: offset + text.length,
      line: lineAt(lineStarts, offset),
      children: [],
      trivia: [],
      parent,
    };
    return { node: s, next: offset + text.length };
  }
  const s: SNode = {
    kind: node.kind,
    label,
    terminal: false,
    text: "",
    start: -1,
    end: -1,
    line: 0,
    children: [],
    trivia: [],
    parent,
  };
  let cursor = offset;
  let seenToken = false;
  for (const edge of node.children()) {
    const child = edge.node;
    const edgeLabel = String(edge.label);
    if (child.isTerminalNode() && TerminalKindExtensions.isTrivia(child.kind as TerminalKind)) {
      const text = child.unparse();
      s.trivia.push({ kind: child.kind, text, line: lineAt(lineStarts, cursor), leading: !seenToken });
      cursor += text.length;
      continue;
    }
    const converted = convert(child, edgeLabel, cursor, s, lineStarts);
    cursor = converted.next;
    const c = converted.node;
    if (c.start >= 0) {
      if (s.start < 0) {
        s.start = c.start;
        s.line = c.line;
      }
      s.end = c.end;
      seenToken = true;
    }
    s.children.push(c);
  }
  return { node: s, next: cursor };
}

// ---------------------------------------------------------------------------------------------------
// Navigation helpers

/** The first child with this edge label. */
export function child(n: SNode | undefined, label: string): SNode | undefined {
  return n?.children.find((c) => c.label === label);
}

export function childrenLabelled(n: SNode | undefined, label: string): SNode[] {
  return n === undefined ? [] : n.children.filter((c) => c.label === label);
}

/** Unwraps choice nodes (Expression, Statement, TypeName, ...) to their single `Variant` child. */
export function unwrap(n: SNode | undefined): SNode | undefined {
  let cur = n;
  while (
    cur !== undefined &&
    !cur.terminal &&
    cur.children.length === 1 &&
    cur.children[0]?.label === "Variant"
  ) {
    cur = cur.children[0];
  }
  return cur;
}

/** All descendants (pre-order = source order), optionally not descending below nodes matching `stop`. */
export function* descendants(n: SNode, stop?: (d: SNode) => boolean): Generator<SNode> {
  for (const c of n.children) {
    yield c;
    if (stop === undefined || !stop(c)) yield* descendants(c, stop);
  }
}

export function descendantsOfKind(n: SNode, kind: string): SNode[] {
  const out: SNode[] = [];
  for (const d of descendants(n)) if (d.kind === kind) out.push(d);
  return out;
}

export function ancestors(n: SNode): SNode[] {
  const out: SNode[] = [];
  for (let p = n.parent; p !== undefined; p = p.parent) out.push(p);
  return out;
}

/** The source text of a node, without its outer trivia. */
export function textOf(source: string, n: SNode): string {
  return n.start < 0 ? "" : source.slice(n.start, n.end);
}

/** A one-line, shortened rendering of a node's text for messages. */
export function snippet(source: string, n: SNode, max = 60): string {
  const t = textOf(source, n).replace(/\s+/g, " ");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The name in an Identifier terminal or the last identifier of an IdentifierPath. */
export function nameOf(n: SNode | undefined): string | undefined {
  if (n === undefined) return undefined;
  if (n.terminal) return n.kind === "Identifier" ? n.text : undefined;
  const ids = n.children.filter((c) => c.terminal && c.kind === "Identifier");
  const last = ids[ids.length - 1];
  if (last !== undefined) return last.text;
  return nameOf(unwrap(n) === n ? undefined : unwrap(n));
}
