/**
 * The agent's HTTP endpoint on 127.0.0.1: `GET /metrics` (Prometheus text format from the injected
 * registry) and `GET /healthz` (200 `{"status":"ok"}` when the health check passes, 503 otherwise), plus
 * the agent's own POST routes (the keeper's `POST /heartbeats`, relay.ts).
 * Port 0 picks a free port (tests); the bound port is returned.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Anything that renders Prometheus text (our Registry; prom-client's register would fit too). */
export interface MetricsSource {
  render(): string | Promise<string>;
}

export interface HealthReport {
  ok: boolean;
  detail?: Record<string, unknown>;
}

export interface HttpServerOptions {
  port: number;
  /** Default 127.0.0.1. Binding elsewhere is the operator's explicit choice. */
  host?: string;
  registry: MetricsSource;
  health: () => HealthReport;
  /** POST handlers by path (e.g. "/heartbeats"). A handler owns the response. */
  postRoutes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const post = path === undefined ? undefined : options.postRoutes?.[path];
    if (post !== undefined) {
      if (req.method !== "POST") {
        res.writeHead(405, { allow: "POST" }).end();
        return;
      }
      post(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      Promise.resolve()
        .then(() => options.registry.render())
        .then(
          (text) =>
            res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(text),
          (error: unknown) =>
            res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(error)}\n`),
        );
      return;
    }
    if (path === "/healthz") {
      let report: HealthReport;
      try {
        report = options.health();
      } catch (error) {
        report = { ok: false, detail: { error: String(error) } };
      }
      res
        .writeHead(report.ok ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: report.ok ? "ok" : "unhealthy", ...report.detail }) + "\n");
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
