import type { SNode } from "./tree.js";

/** One problem found by a detector. `line` is 1-based. */
export interface Finding {
  detector: string;
  file: string;
  line: number;
  message: string;
}

/** A parsed Solidity file, with the project it belongs to (for cross-file look-ups such as @inheritdoc). */
export interface ParsedFile {
  /** Path as reported in findings (relative to the repository root, forward slashes). */
  path: string;
  source: string;
  /** Source lines; `lines[i]` is line i + 1. */
  lines: string[];
  root: SNode;
  project: Project;
}

/** Every file the detectors see at once. */
export interface Project {
  files: ParsedFile[];
}

export type Detector = {
  name: string;
  /** One line on what it checks, for --help and the docs. */
  description: string;
  run: (file: ParsedFile) => Finding[];
  /** Whether it also runs on test-only contracts under contracts/mocks/ (default: no). */
  includeMocks?: boolean;
};
