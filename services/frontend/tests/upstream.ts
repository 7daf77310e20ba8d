// A real HTTP server on 127.0.0.1 standing in for the backend/agent in unit tests: it records
// what the frontend sent and answers with whatever the test scripted for that path.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Reply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> };

export type Routes = Record<string, (seen: Seen) => Reply>;

export async function startUpstream(routes: Routes) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const s: Seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(s);
      const path = (req.url ?? "").split("?")[0];
      const key = `${req.method} ${path}`;
      const route = routes[key] ?? routes[path];
      const reply: Reply = route ? route(s) : { status: 404, body: { detail: "Not Found" } };
      const headers: Record<string, string> = { ...reply.headers };
      let payload = "";
      if (reply.raw !== undefined) payload = reply.raw;
      else if (reply.body !== undefined) {
        payload = JSON.stringify(reply.body);
        headers["content-type"] = "application/json";
      }
      res.writeHead(reply.status, headers);
      res.end(payload);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export type Upstream = Awaited<ReturnType<typeof startUpstream>>;

/**
 * A stand-in for the whole test file: started before its tests, closed after them, and before
 * each test its record cleared and `envVar` pointed at it again (a test may point it elsewhere).
 * The object is filled in when the stand-in starts, so use it inside tests and hooks only.
 */
export function upstreamForTests(envVar: "BACKEND_URL" | "AI_AGENT_URL", routes: Routes): Upstream {
  const upstream = {} as Upstream;
  beforeAll(async () => {
    Object.assign(upstream, await startUpstream(routes));
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.seen.length = 0;
    process.env[envVar] = upstream.url;
  });
  return upstream;
}

/** A loopback port with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}
