// The Node-level guard (lib/server/http-guard.ts) on a real HTTP server on 127.0.0.1, whose
// 'request' listener stands in for Next.js and records what got past the guard. The standalone
// server itself is probed the same way in the browser test (e2e/probes.mjs).
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import * as chatRoute from "@/app/api/chat/route";
import * as healthRoute from "@/app/api/healthz/route";
import * as loginRoute from "@/app/api/auth/login/route";
import * as logoutRoute from "@/app/api/auth/logout/route";
import * as meRoute from "@/app/api/auth/me/route";
import * as registerRoute from "@/app/api/auth/register/route";
import * as todosRoute from "@/app/api/todos/[[...path]]/route";
import { withPeerAddress } from "@/lib/server/client-address";
import { LINGER, installHttpGuard } from "@/lib/server/http-guard";
import { allowedMethods } from "@/lib/server/methods";
import { chunkedPost } from "../e2e/probes.mjs";

interface Reached {
  method: string;
  url: string;
  xff: string | undefined;
}

const reached: Reached[] = [];
let server: http.Server;
let port: number;

beforeAll(async () => {
  installHttpGuard();
  installHttpGuard(); // once per process, however often it is called
  server = http.createServer((req, res) => {
    reached.push({ method: req.method ?? "", url: req.url ?? "", xff: req.headers["x-forwarded-for"] as string | undefined });
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end("next"));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    r.on("error", reject);
    r.end(body);
  });
}

describe("methods a path does not answer", () => {
  it("TRACE gets 405 with Allow, on API routes and pages alike, and never reaches Next", async () => {
    reached.length = 0;
    const login = await send("TRACE", "/api/auth/login");
    expect(login.status).toBe(405);
    expect(login.headers.allow).toBe("POST, OPTIONS");
    expect(JSON.parse(login.body).detail).toMatch(/TRACE is not allowed/);
    const todos = await send("TRACE", "/api/todos/3");
    expect(todos.headers.allow).toBe("GET, HEAD, PATCH, DELETE, OPTIONS");
    const page = await send("TRACE", "/login");
    expect([page.status, page.headers.allow]).toEqual([405, "GET, HEAD, OPTIONS"]);
    expect(reached).toEqual([]);
  });

  it("other unanswered methods get 405 too: PUT on login, DELETE on a page, POST on the health check", async () => {
    reached.length = 0;
    for (const [method, path, allow] of [
      ["PUT", "/api/auth/login", "POST, OPTIONS"],
      ["HEAD", "/api/auth/login", "POST, OPTIONS"],
      ["GET", "/api/auth/logout", "POST, OPTIONS"],
      ["DELETE", "/", "GET, HEAD, OPTIONS"],
      ["PROPFIND", "/signup", "GET, HEAD, OPTIONS"],
      ["POST", "/api/healthz", "GET, HEAD, OPTIONS"],
      ["PUT", "/api/todos/3", "GET, HEAD, PATCH, DELETE, OPTIONS"],
      ["GET", "/api/todos/3/complete", "POST, OPTIONS"],
    ]) {
      const res = await send(method, path);
      expect([method, path, res.status, res.headers.allow]).toEqual([method, path, 405, allow]);
      expect(res.headers["cache-control"]).toBe("no-store");
    }
    expect(reached).toEqual([]);
  });

  it("OPTIONS answers 204 with Allow", async () => {
    const res = await send("OPTIONS", "/api/todos");
    expect([res.status, res.headers.allow, res.body]).toEqual([204, "GET, HEAD, POST, OPTIONS", ""]);
  });

  it("lets the methods each path answers through to Next, whatever their spelling of the path", async () => {
    reached.length = 0;
    for (const [method, path] of [
      ["GET", "/"],
      ["HEAD", "/login"],
      ["GET", "/_next/static/chunks/app.js"],
      ["POST", "/api/auth/login"],
      ["POST", "/api/auth/login/"],
      ["POST", "/api/auth/log%69n"],
      ["PATCH", "/api/todos/3?x=1"],
      ["POST", "/api/todos/3/complete"],
      ["DELETE", "/api/auth/me"],
      ["PUT", "/api/nowhere"], // an unknown API path is Next's 404 to give
      ["POST", "/__nextjs_original-stack-frames"], // the development server's error overlay
    ]) {
      const res = await send(method, path);
      expect([method, path, res.status]).toEqual([method, path, 200]);
    }
    expect(reached.map((r) => `${r.method} ${r.url}`)).toHaveLength(11);
  });

  it("TRACE on an unknown API path is a 404, not a 500", async () => {
    const res = await send("TRACE", "/api/nowhere");
    expect(res.status).toBe(404);
  });

  it("refuses a method carrying a large body without reading it, and closes the connection", async () => {
    const res = await send("PUT", "/api/auth/login", { "content-type": "application/json" }, "x".repeat(256 * 1024));
    expect(res.status).toBe(405);
    expect(res.headers.connection).toBe("close");
  });
});

describe("the route handlers export exactly the methods the guard lets through", () => {
  const modules: [string, Record<string, unknown>][] = [
    ["/api/healthz", healthRoute],
    ["/api/auth/login", loginRoute],
    ["/api/auth/register", registerRoute],
    ["/api/auth/logout", logoutRoute],
    ["/api/auth/me", meRoute],
    ["/api/chat", chatRoute],
    ["/api/todos", todosRoute],
    ["/api/todos/3", todosRoute],
    ["/api/todos/3/complete", todosRoute],
    ["/api/todos/3/reopen", todosRoute],
  ];
  const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

  it("for every path", () => {
    const byModule = new Map<Record<string, unknown>, Set<string>>();
    for (const [path, mod] of modules) {
      const allowed = allowedMethods(path);
      expect(allowed, path).not.toBeNull();
      // Next answers HEAD and OPTIONS itself from GET and the exports.
      const set = byModule.get(mod) ?? new Set();
      for (const m of allowed ?? []) if (m !== "HEAD" && m !== "OPTIONS") set.add(m);
      byModule.set(mod, set);
    }
    for (const [mod, expected] of byModule) {
      const exported = Object.keys(mod).filter((k) => METHODS.includes(k));
      expect(exported.sort()).toEqual([...expected].sort());
    }
  });
});

describe("the client's address", () => {
  it("is appended to X-Forwarded-For as the socket saw it: a client can add entries, never replace the last", async () => {
    reached.length = 0;
    await send("GET", "/", {});
    await send("GET", "/", { "x-forwarded-for": "203.0.113.9" });
    await send("GET", "/", { "x-forwarded-for": "<script>" });
    expect(reached.map((r) => r.xff)).toEqual(["127.0.0.1", "203.0.113.9, 127.0.0.1", "127.0.0.1"]);
  });

  it("keeps only a short, well-formed claim and shows IPv4 peers without the IPv6 prefix", () => {
    expect(withPeerAddress("198.51.100.1, 10.0.0.2", "::ffff:10.244.0.7")).toBe("198.51.100.1, 10.0.0.2, 10.244.0.7");
    expect(withPeerAddress("2001:db8::1", "fe80::1%eth0")).toBe("2001:db8::1, fe80::1%eth0");
    expect(withPeerAddress("1.2.3.4\r\nx: y", "10.0.0.1")).toBe("10.0.0.1");
    expect(withPeerAddress("1.2.3.4, ".repeat(200), "10.0.0.1")).toBe("10.0.0.1");
    expect(withPeerAddress("1.2.3.4", undefined)).toBeUndefined();
  });
});

describe("a body refused half-way", () => {
  // A route that stops reading past 64 KiB and answers 413 with `Connection: close`, as
  // readBody and the error answer do; in front of it, a stand-in for Docker's port publishing
  // (docker-proxy): a userland TCP proxy copying each way, closing both sides when one fails.
  let app: http.Server;
  let proxy: net.Server;
  const piped = new Set<net.Socket>();
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    app = http.createServer((req, res) => {
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) return;
        req.off("data", onData);
        req.pause();
        res.writeHead(413, { connection: "close", "content-type": "application/json" }).end('{"detail":"too large"}');
      };
      req.on("data", onData);
    });
    await new Promise<void>((ok) => app.listen(0, "127.0.0.1", ok));
    proxy = net.createServer((client) => {
      const upstream = net.connect((app.address() as AddressInfo).port, "127.0.0.1");
      for (const s of [client, upstream]) piped.add(s.on("close", () => piped.delete(s)));
      client.pipe(upstream);
      upstream.pipe(client);
      const both = () => (client.destroy(), upstream.destroy());
      client.on("error", both);
      upstream.on("error", both);
      upstream.on("close", () => client.end());
    });
    await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
    urls.direct = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/todos`;
    urls["through a userland proxy"] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/todos`;
  });
  afterAll(async () => {
    for (const s of piped) s.destroy();
    await new Promise<void>((ok) => proxy.close(() => ok()));
    await new Promise<void>((ok) => app.close(() => ok()));
  });

  it.each(["direct", "through a userland proxy"])("gets its 413 to a client still sending, every time (%s)", async (way) => {
    // Without the graceful close the proxy turns nearly every one of these into a reset.
    for (let i = 0; i < 10; i++) {
      const res = await chunkedPost(urls[way], { mib: 256, timeoutMs: 10_000 });
      expect([i, res.status, res.beforeAllSent]).toEqual([i, 413, true]);
      expect(res.sentMiB).toBeLessThan(64);
    }
  });

  it("gets its 413 to a client that has sent 40 MiB more before it reads anything", async () => {
    // A busy client (or a port proxy's buffers) can have tens of MiB on the way by the time it
    // reads the answer: the drain must not give up on it by size and reset the answer away.
    const socket = net.connect({ port: (app.address() as AddressInfo).port, host: "127.0.0.1" });
    await new Promise((ok) => socket.once("connect", ok));
    socket.pause();
    let failed: string | undefined;
    socket.on("error", (err: NodeJS.ErrnoException) => (failed = err.code));
    socket.write("POST /api/todos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const chunk = `10000\r\n${"a".repeat(0x10000)}\r\n`;
    for (let sent = 0; sent < 40 && !failed; sent++) {
      if (!socket.write(chunk.repeat(16))) await new Promise((ok) => socket.once("drain", ok));
    }
    let answer = "";
    socket.on("data", (d) => (answer += d));
    socket.resume();
    await expect.poll(() => answer || failed, { timeout: 5_000 }).toBeTruthy();
    socket.destroy();
    expect([failed, answer.split("\r\n")[0]]).toEqual([undefined, "HTTP/1.1 413 Payload Too Large"]);
  });

  it("gives up on a client that keeps sending after the 413, within the linger limits", async () => {
    const saved = { ...LINGER };
    Object.assign(LINGER, { ms: 1_000, bytes: 64 * 1024 * 1024 });
    onTestFinished(() => void Object.assign(LINGER, saved));
    const port = (app.address() as AddressInfo).port;
    // Half-open, so it goes on sending after the server's FIN, and never reads its answer.
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    await new Promise((ok) => socket.once("connect", ok));
    socket.on("error", () => {});
    let answer = "";
    socket.on("data", (d) => (answer += d));
    socket.write("POST /api/todos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const chunk = `400\r\n${"a".repeat(0x400)}\r\n`;
    const timer = setInterval(() => socket.writable && socket.write(chunk.repeat(64)), 5);
    const started = Date.now();
    await new Promise((ok) => socket.once("close", ok));
    clearInterval(timer);
    const lasted = Date.now() - started;
    expect(answer).toMatch(/^HTTP\/1.1 413 /);
    // Closed by the server (the client never stops): after the drain limit, not at once.
    expect(lasted).toBeGreaterThan(200);
    expect(lasted).toBeLessThan(LINGER.ms + 1_000);
    await expect.poll(() => new Promise<number>((ok) => app.getConnections((_, n) => ok(n)))).toBe(0);
  });
});
