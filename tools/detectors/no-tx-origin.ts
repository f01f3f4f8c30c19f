/**
 * no-tx-origin: any use of `tx.origin` (and the Yul `origin()` opcode). Authorising by `tx.origin` lets
 * any contract the user calls act as the user (phishing); it also breaks for smart-contract wallets.
 */
import { descendants, nameOf, child, unwrap } from "./tree.js";
import type { Detector, Finding, ParsedFile } from "./types.js";

export const NAME = "no-tx-origin";

export function noTxOrigin(file: ParsedFile): Finding[] {
  const findings: Finding[] = [];
  for (const n of descendants(file.root)) {
    if (n.kind === "MemberAccessExpression") {
      const operand = unwrap(child(n, "Operand"));
      if (
        operand?.kind === "Identifier" &&
        operand.text === "tx" &&
        nameOf(child(n, "Member")) === "origin"
      ) {
        findings.push({ detector: NAME, file: file.path, line: n.line, message: "use of tx.origin" });
      }
    } else if (n.kind === "YulFunctionCallExpression") {
      const callee = unwrap(child(n, "Operand"));
      const name = callee?.children.find((c) => c.terminal)?.text ?? callee?.text;
      if (name === "origin") {
        findings.push({
          detector: NAME,
          file: file.path,
          line: n.line,
          message: "use of origin() in assembly",
        });
      }
    }
  }
  return findings;
}

export const detector: Detector = {
  name: NAME,
  description: "no use of tx.origin (or the origin() opcode in assembly)",
  run: noTxOrigin,
  includeMocks: true,
};
