/**
 * Content-addressed stores the drivers fetch snapshot files and node configs from, by CID. The
 * `ContentStore` interface is all a driver sees, so an IPFS gateway or an HTTP store is a new class and
 * nothing else. `DirectoryContentStore` keeps files in a local directory under their CID.
 *
 * CIDs made here are real CIDv1 strings (multibase base32 lower `b…`, codec raw 0x55, multihash sha2-256),
 * so they pass the RecoveryManager's CID shape check. A store does not vouch for content: the driver checks
 * every snapshot file against the registry's contentHash and size before it loads it.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface ContentStore {
  /**
   * The bytes named by `cid`. Rejects (any error) when they cannot be fetched, are larger than `maxBytes`
   * (when given), or `signal` aborts.
   */
  get(cid: string, signal: AbortSignal, maxBytes?: bigint): Promise<Uint8Array>;
}

/** A store that can also take content (used by snapshot producers and tests). */
export interface WritableContentStore extends ContentStore {
  /** Stores `bytes`; returns their CID. */
  put(bytes: Uint8Array): Promise<string>;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** The CIDv1 (raw codec, sha2-256) of `bytes`, multibase base32 lower: "bafkrei…". */
export function cidOf(bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest();
  const raw = Uint8Array.from([0x01, 0x55, 0x12, 0x20, ...digest]);
  return "b" + base32(raw);
}

function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** CIDv0 (`Qm` + 44 base58) or CIDv1 base32 lower (`b` + [a-z2-7]): safe as a file name, no paths. */
const CID_SHAPE = /^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{8,200})$/;

export function isCid(cid: string): boolean {
  return CID_SHAPE.test(cid);
}

/** Files in `dir`, each named by its CID. */
export class DirectoryContentStore implements WritableContentStore {
  constructor(readonly dir: string) {}

  async put(bytes: Uint8Array): Promise<string> {
    const cid = cidOf(bytes);
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${cid}.tmp-${process.pid}`);
    await writeFile(tmp, bytes);
    await rename(tmp, join(this.dir, cid));
    return cid;
  }

  /** Puts `bytes` under an explicit name (e.g. to stand in for content another store would serve). */
  async putAs(cid: string, bytes: Uint8Array): Promise<void> {
    if (!isCid(cid)) throw new Error(`not a CID: ${JSON.stringify(cid)}`);
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, cid), bytes);
  }

  async get(cid: string, signal: AbortSignal, maxBytes?: bigint): Promise<Uint8Array> {
    if (!isCid(cid)) throw new Error(`not a CID: ${JSON.stringify(cid)}`);
    const path = join(this.dir, cid);
    if (maxBytes !== undefined) {
      const { size } = await stat(path);
      if (BigInt(size) > maxBytes)
        throw new Error(`${cid} is ${size} bytes, more than the ${maxBytes} expected`);
    }
    return new Uint8Array(await readFile(path, { signal }));
  }
}
