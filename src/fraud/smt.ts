/**
 * The ledger's sparse Merkle tree, byte for byte as contracts/fraud/libraries/SparseMerkle.sol: fixed depth,
 * `node(l, r) = (l == 0 && r == 0) ? 0 : keccak256(l ‖ r)` (empty subtrees are zero at every level), leaf
 * `index` at the path given by its bits (bit k: right child at level k), proofs list siblings leaf level up.
 * Only non-zero nodes are stored, so an update costs `depth` hashes whatever the depth.
 */
import { ZeroHash, concat, keccak256 } from "ethers";

export function hashPair(left: string, right: string): string {
  if (left === ZeroHash && right === ZeroHash) return ZeroHash;
  return keccak256(concat([left, right]));
}

/** The root of a tree holding `leaf` at `index` given its siblings (SparseMerkle.computeRoot). */
export function computeRoot(leaf: string, index: bigint, siblings: readonly string[]): string {
  let node = leaf;
  siblings.forEach((sibling, level) => {
    node = ((index >> BigInt(level)) & 1n) === 0n ? hashPair(node, sibling) : hashPair(sibling, node);
  });
  return node;
}

export class SparseMerkleTree {
  readonly depth: number;
  /** levels[k]: non-zero nodes at level k (0 = leaves), by index within the level. */
  readonly #levels: Map<bigint, string>[];

  constructor(depth: number, levels?: Map<bigint, string>[]) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 160)
      throw new Error(`tree depth must be 1..160, got ${depth}`);
    this.depth = depth;
    this.#levels = levels ?? Array.from({ length: depth + 1 }, () => new Map<bigint, string>());
  }

  get root(): string {
    return this.#node(this.depth, 0n);
  }

  leaf(index: bigint): string {
    return this.#node(0, index);
  }

  /** Sets the leaf at `index` and rehashes its path. */
  set(index: bigint, leaf: string): void {
    let node = leaf;
    let i = index;
    for (let level = 0; level <= this.depth; level++) {
      this.#put(level, i, node);
      if (level === this.depth) break;
      const sibling = this.#node(level, i ^ 1n);
      node = (i & 1n) === 0n ? hashPair(node, sibling) : hashPair(sibling, node);
      i >>= 1n;
    }
  }

  /** The siblings of the leaf at `index`, leaf level up. */
  proof(index: bigint): string[] {
    const siblings: string[] = [];
    let i = index;
    for (let level = 0; level < this.depth; level++) {
      siblings.push(this.#node(level, i ^ 1n));
      i >>= 1n;
    }
    return siblings;
  }

  clone(): SparseMerkleTree {
    return new SparseMerkleTree(
      this.depth,
      this.#levels.map((m) => new Map(m)),
    );
  }

  #node(level: number, index: bigint): string {
    return this.#levels[level]!.get(index) ?? ZeroHash;
  }

  #put(level: number, index: bigint, node: string): void {
    if (node === ZeroHash) this.#levels[level]!.delete(index);
    else this.#levels[level]!.set(index, node);
  }
}
