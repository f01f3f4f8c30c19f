/**
 * An in-memory chain for the orchestrator's cursor tests (no test of its own): blocks 0..head with hashes
 * (each block's hash covers its parent's, so a replaced block and every later one get new hashes), whose tail
 * a test replaces (`reorg`), and the `LogSource` the orchestrator reads (getBlockNumber / getBlock / getLogs).
 * Contract views derived from its events (`openRemediationOf`, `reportsOf`) answer what the canonical chain
 * says.
 */
import { type Filter, type Interface, keccak256, type Log, toUtf8Bytes } from "ethers";

import { IRecoveryManager__factory, IValidatorSet__factory } from "../../types/ethers-contracts/index.js";

export const SET = "0x00000000000000000000000000000000000005e7";
export const RECOVERY = "0x000000000000000000000000000000000000bec0";
export const OPERATOR = "0x00000000000000000000000000000000000000f0";
export const V = ["0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222"];

export interface RawLog {
  address: string;
  topics: string[];
  data: string;
}
export interface Block {
  hash: string;
  parentHash: string;
  logs: RawLog[];
}

/** A chain of blocks 0..head with hashes; `reorg` drops the tail, new blocks get new hashes. */
export class HashedChain {
  readonly blocks: Block[] = [];
  readonly setIface = IValidatorSet__factory.createInterface();
  readonly rmIface = IRecoveryManager__factory.createInterface();
  /** getBlock calls (the per-tick RPC bound is asserted on it). */
  getBlockCalls = 0;
  #salt = 0;

  constructor(length: number) {
    this.mine(length);
  }

  get head(): number {
    return this.blocks.length - 1;
  }

  push(logs: RawLog[] = []): number {
    const parentHash = this.blocks.at(-1)?.hash ?? "0x" + "00".repeat(32);
    const hash = keccak256(toUtf8Bytes(`${parentHash}:${this.#salt++}`));
    this.blocks.push({ hash, parentHash, logs });
    return this.head;
  }

  mine(n: number): void {
    for (let i = 0; i < n; i++) this.push();
  }

  /** A RemediationRequested(incidentId, validator) in a new block. */
  remediation(incidentId: bigint, validator: string): number {
    const { topics, data } = this.setIface.encodeEventLog("RemediationRequested", [
      incidentId,
      validator,
      1,
      0n,
    ]);
    return this.push([{ address: SET, topics, data }]);
  }

  /** An IncidentRemediationReported(incidentId, ok, detailsHash, operator) in a new block. */
  report(incidentId: bigint, ok: boolean, detailsHash: string): number {
    const { topics, data } = this.rmIface.encodeEventLog("IncidentRemediationReported", [
      incidentId,
      ok,
      detailsHash,
      OPERATOR,
    ]);
    return this.push([{ address: RECOVERY, topics, data }]);
  }

  /** Drops the last `depth` blocks (their logs are gone). */
  reorg(depth: number): void {
    this.blocks.length -= depth;
  }

  #events(address: string, name: string): { args: readonly unknown[] }[] {
    const iface: Interface = address === SET ? this.setIface : this.rmIface;
    const topic = iface.getEvent(name)!.topicHash;
    return this.blocks
      .flatMap((b) => b.logs)
      .filter((l) => l.address === address && l.topics[0] === topic)
      .map((l) => iface.parseLog(l)!);
  }

  /** The newest incident requested for `validator` on the canonical chain (0 when none). */
  openRemediationOf(validator: string): bigint {
    const mine = this.#events(SET, "RemediationRequested").filter(
      (e) => (e.args[1] as string).toLowerCase() === validator.toLowerCase(),
    );
    return (mine.at(-1)?.args[0] as bigint | undefined) ?? 0n;
  }

  /** Reports of `incidentId` on the canonical chain. */
  reportsOf(incidentId: bigint): number {
    return this.#events(RECOVERY, "IncidentRemediationReported").filter((e) => e.args[0] === incidentId)
      .length;
  }

  readonly source = {
    getBlockNumber: async () => this.head,
    getBlock: async (tag: unknown) => {
      this.getBlockCalls++;
      const n = Number(tag);
      const b = this.blocks[n];
      return (b ? { number: n, hash: b.hash, parentHash: b.parentHash } : null) as never;
    },
    getLogs: async (filter: Filter): Promise<Log[]> => {
      const from = Number(filter.fromBlock);
      const to = Number(filter.toBlock);
      const topics = (filter.topics?.[0] ?? []) as string[];
      const out: Log[] = [];
      for (let n = from; n <= Math.min(to, this.head); n++) {
        const b = this.blocks[n]!;
        b.logs.forEach((l, index) => {
          if (l.address !== filter.address || !topics.includes(l.topics[0]!)) return;
          out.push({ ...l, blockNumber: n, blockHash: b.hash, index } as unknown as Log);
        });
      }
      return out;
    },
  };
}
