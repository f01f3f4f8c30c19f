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
 * - `chainId`: `eth_chainId` returns this id instead.
 */
export type Fault =
  | { kind: "none" }
  | { kind: "http"; status: number; methods?: string[] }
  | { kind: "hang"; methods?: string[] }
  | { kind: "staleHead" }
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
  const calls: string[] = [];

  const answer = async (p: Payload): Promise<unknown> => {
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
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
