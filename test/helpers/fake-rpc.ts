import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The part of an EIP-1193 provider the fake needs (Hardhat's in-process network provides it). */
export interface Upstream {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/**
 * A fault to inject. `methods` limits it to those JSON-RPC methods (default: every method).
 * - `http`: answer with that HTTP status (500, 429, ...) and a plain-text body;
 * - `hang`: never answer (the client's timeout must bound it);
 * - `staleHead`: `eth_blockNumber` keeps returning the block number seen when the fault was set;
 * - `lagging`: a node stuck at an old block (`block`; default the head at the fault's first request), as one
 *   backend behind a load balancer lags: `eth_blockNumber` and `eth_getBlockByNumber("latest")` answer that
 *   block; `eth_call`, `eth_estimateGas`, `eth_getTransactionCount`, `eth_getBalance`, `eth_getCode`,
 *   `eth_getStorageAt` at "latest"/"pending" (or no tag) read its state; an explicit later block is
 *   "header not found"; receipts, transactions and blocks after it are unknown (null); `eth_getLogs`
 *   stops at it. Transactions are still forwarded (the node relays them to the network);
 * - `chainId`: `eth_chainId` returns this id instead.
 */
export type Fault =
  | { kind: "none" }
  | { kind: "http"; status: number; methods?: string[] }
  | { kind: "hang"; methods?: string[] }
  | { kind: "staleHead" }
  | { kind: "lagging"; block?: number }
  | { kind: "chainId"; chainId: bigint };

export interface FakeRpc {
  readonly url: string;
  /** Methods received, in order (including ones answered with a fault). */
  readonly calls: string[];
  setFault(fault: Fault): void;
  close(): Promise<void>;
}

interface Payload {
  jsonrpc: "2.0";
  id: number | string;
  method: string;
  params?: unknown[];
}

/**
 * A JSON-RPC server on 127.0.0.1 (ephemeral port) that forwards to `upstream` and injects faults.
 * Upstream errors become JSON-RPC error objects with their code, message and data (revert data included),
 * the way a real node answers.
 */
export async function startFakeRpc(upstream: Upstream): Promise<FakeRpc> {
  let fault: Fault = { kind: "none" };
  let frozenHead: string | null = null;
  let lagBlock: bigint | null = null;
  const calls: string[] = [];

  const answer = async (p: Payload): Promise<unknown> => {
    if (fault.kind === "lagging") {
      if (lagBlock === null) {
        lagBlock =
          fault.block !== undefined
            ? BigInt(fault.block)
            : BigInt((await upstream.request({ method: "eth_blockNumber", params: [] })) as string);
      }
      const lagged = await lag(upstream, lagBlock, p);
      if (lagged !== undefined && "forward" in lagged) p = { ...p, params: lagged.forward };
      else if (lagged !== undefined) return { jsonrpc: "2.0", id: p.id, ...lagged };
    }
    if (fault.kind === "chainId" && p.method === "eth_chainId") {
      return { jsonrpc: "2.0", id: p.id, result: "0x" + fault.chainId.toString(16) };
    }
    if (fault.kind === "staleHead" && p.method === "eth_blockNumber") {
      frozenHead ??= (await upstream.request({ method: "eth_blockNumber", params: [] })) as string;
      return { jsonrpc: "2.0", id: p.id, result: frozenHead };
    }
    try {
      const result = await upstream.request({ method: p.method, params: p.params ?? [] });
      return { jsonrpc: "2.0", id: p.id, result: result ?? null };
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: p.id,
        error: {
          code: typeof e.code === "number" ? e.code : -32603,
          message: typeof e.message === "string" ? e.message : String(error),
          ...(typeof e.data === "string" ? { data: e.data } : {}),
        },
      };
    }
  };

  const applies = (methods: string[] | undefined, payloads: Payload[]) =>
    methods === undefined || payloads.some((p) => methods.includes(p.method));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Payload | Payload[];
    const payloads = Array.isArray(body) ? body : [body];
    calls.push(...payloads.map((p) => p.method));
    if (fault.kind === "hang" && applies(fault.methods, payloads)) return; // never answers
    if (fault.kind === "http" && applies(fault.methods, payloads)) {
      res.writeHead(fault.status, { "content-type": "text/plain" }).end("injected fault");
      return;
    }
    const answers = await Promise.all(payloads.map(answer));
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(Array.isArray(body) ? answers : answers[0]));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setFault(f) {
      fault = f;
      frozenHead = null;
      lagBlock = null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Where each state-reading method takes its block tag. */
const TAG_INDEX: Record<string, number> = {
  eth_call: 1,
  eth_estimateGas: 1,
  eth_getTransactionCount: 1,
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getStorageAt: 2,
};

const hex = (n: bigint) => "0x" + n.toString(16);

/**
 * The answer of a node stuck at block `head` (`lagging` fault), as `{ result }` or `{ error }`; undefined
 * when the request is forwarded unchanged.
 */
async function lag(
  upstream: Upstream,
  head: bigint,
  p: Payload,
): Promise<
  { result: unknown } | { error: { code: number; message: string } } | { forward: unknown[] } | undefined
> {
  const params = [...(p.params ?? [])];
  const ask = (method: string, ps: unknown[]) => upstream.request({ method, params: ps });
  const beyond = (n: unknown) => typeof n === "string" && n.startsWith("0x") && BigInt(n) > head;
  const notFound = { error: { code: -32000, message: "header not found" } };
  switch (p.method) {
    case "eth_blockNumber":
      return { result: hex(head) };
    case "eth_getBlockByNumber": {
      const tag = params[0];
      if (tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized")
        return { result: await ask(p.method, [hex(head), params[1] ?? false]) };
      if (beyond(tag)) return { result: null };
      return undefined;
    }
    case "eth_getBlockByHash":
    case "eth_getTransactionReceipt":
    case "eth_getTransactionByHash": {
      const r = (await ask(p.method, params)) as { blockNumber?: string | null; number?: string } | null;
      const n = r?.blockNumber ?? r?.number;
      return { result: beyond(n) ? null : r };
    }
    case "eth_getLogs": {
      const filter = { ...(params[0] as Record<string, unknown>) };
      if (filter.blockHash !== undefined) return undefined;
      if (beyond(filter.fromBlock)) return { result: [] };
      if (
        filter.toBlock === undefined ||
        typeof filter.toBlock !== "string" ||
        !filter.toBlock.startsWith("0x") ||
        beyond(filter.toBlock)
      )
        filter.toBlock = hex(head);
      return { result: await ask(p.method, [filter]) };
    }
    default: {
      const i = TAG_INDEX[p.method];
      if (i === undefined) return undefined;
      const tag = params[i];
      if (beyond(tag)) return notFound;
      if (tag === undefined || tag === "latest" || tag === "pending") {
        while (params.length < i) params.push(undefined);
        params[i] = hex(head);
      }
      return { forward: params };
    }
  }
}
