// The route handlers under attack: bodies that never end, requests from other origins, cookies
// that cannot be tokens, logout with the backend up or down. The backend is a real HTTP server
// on 127.0.0.1 that records what reached it.
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as chatRoute from "@/app/api/chat/route";
import * as loginRoute from "@/app/api/auth/login/route";
import * as logoutRoute from "@/app/api/auth/logout/route";
import * as meRoute from "@/app/api/auth/me/route";
import * as registerRoute from "@/app/api/auth/register/route";
import * as todosRoute from "@/app/api/todos/[[...path]]/route";
import { allowedMethods } from "@/lib/server/methods";
import { handleError } from "@/lib/server/upstream-call";
import { deadPort, upstreamForTests, type Reply } from "./upstream";

const USER = { id: 7, email: "ada@example.com", created_at: "2026-11-28T08:00:00Z" };
const TODO = { id: 3, title: "milk", completed: false };
const CREDS = { email: USER.email, password: "right-password" };
const HOST = "127.0.0.1:30080"; // the app as the play prints it
const OWN = `http://${HOST}`;
const CLEARED = /^todo_session=;.*Max-Age=0/i;

let logoutReply: Reply;
const backend = upstreamForTests("BACKEND_URL", {
  "POST /api/v1/auth/login": () => ({ status: 200, body: { access_token: "jwt-abc", token_type: "bearer", expires_in: 1800 } }),
  "POST /api/v1/auth/register": () => ({ status: 201, body: USER }),
  "POST /api/v1/auth/logout": () => logoutReply,
  "/api/v1/users/me": () => ({ status: 200, body: USER }),
  "GET /api/v1/todos": () => ({ status: 200, body: { items: [TODO], total: 1, limit: 50, offset: 0 } }),
  "POST /api/v1/todos": () => ({ status: 201, body: TODO }),
  "PATCH /api/v1/todos/3": () => ({ status: 200, body: TODO }),
  "DELETE /api/v1/todos/3": () => ({ status: 204 }),
  "POST /api/v1/todos/3/complete": () => ({ status: 200, body: { ...TODO, completed: true } }),
  "POST /api/v1/todos/3/reopen": () => ({ status: 200, body: TODO }),
});
const agent = upstreamForTests("AI_AGENT_URL", {
  "POST /api/v1/chat": () => ({ status: 200, body: { reply: "ok", actions: [], mode: "offline" } }),
});
beforeEach(() => {
  logoutReply = { status: 204 };
});
afterEach(() => vi.restoreAllMocks());

type Init = { method?: string; body?: BodyInit; json?: unknown; headers?: Record<string, string> };

/** A request as it reaches the server at 127.0.0.1:30080 (Host as the browser sent it). */
function req(path: string, init: Init = {}) {
  const headers: Record<string, string> = { host: HOST, ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] ??= "application/json";
  }
  // duplex: "half" lets the body be a stream (Node's fetch needs it; the DOM types lack it).
  const options = { method: init.method ?? "GET", headers, body, duplex: "half" };
  return new NextRequest(`${OWN}${path}`, options as ConstructorParameters<typeof NextRequest>[1]);
}
const session = { cookie: "todo_session=jwt-abc" };
const ctx = (...path: string[]) => ({ params: Promise.resolve({ path }) });

/** Every state-changing route handler, by the path and method a browser would use. */
const ROUTES: Record<string, (r: NextRequest) => Promise<Response>> = {
  "POST /api/auth/login": (r) => loginRoute.POST(r),
  "POST /api/auth/register": (r) => registerRoute.POST(r),
  "POST /api/auth/logout": (r) => logoutRoute.POST(r),
  "DELETE /api/auth/me": (r) => meRoute.DELETE(r),
  "POST /api/chat": (r) => chatRoute.POST(r),
  "POST /api/todos": (r) => todosRoute.POST(r, ctx()),
  "PATCH /api/todos/3": (r) => todosRoute.PATCH(r, ctx("3")),
  "DELETE /api/todos/3": (r) => todosRoute.DELETE(r, ctx("3")),
  "POST /api/todos/3/complete": (r) => todosRoute.POST(r, ctx("3", "complete")),
  "POST /api/todos/3/reopen": (r) => todosRoute.POST(r, ctx("3", "reopen")),
};
const SAMPLE_PATHS = ["/api/auth/login", "/api/auth/register", "/api/auth/logout", "/api/auth/me", "/api/chat",
  "/api/todos", "/api/todos/3", "/api/todos/3/complete", "/api/todos/3/reopen"];

/** A body that keeps coming, 64 KiB per pull, up to `total` bytes; counts what was pulled. */
function endlessBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

describe("request bodies are counted as they stream in", () => {
  for (const [route, total] of [["POST /api/auth/login", 64], ["POST /api/todos", 256]] as const) {
    it(`${route}: an undeclared ${total} MiB body gets 413 after reading at most the limit`, async () => {
      const body = endlessBody(total * 1024 * 1024);
      const headers = { "content-type": "application/json", ...session }; // chunked: no Content-Length
      const res = await ROUTES[route](req(route.split(" ")[1], { method: "POST", body: body.stream, headers }));
      expect(res.status).toBe(413);
      expect((await res.json()).detail).toMatch(/larger than 64 KiB/);
      // The rest stays unread: the answer closes the connection instead of reading it.
      expect(res.headers.get("connection")).toBe("close");
      expect(body.pulled()).toBeLessThanOrEqual(128 * 1024);
      expect(backend.seen).toHaveLength(0);
    });
  }

  it("a body just under the limit still goes through", async () => {
    const title = "x".repeat(60_000);
    const res = await ROUTES["POST /api/todos"](req("/api/todos", { method: "POST", json: { title }, headers: session }));
    expect(res.status).toBe(201);
    expect(JSON.parse(backend.seen[0].body).title).toBe(title);
  });
});

describe("state-changing requests from another origin are refused", () => {
  it("covers every state-changing method of every API path", () => {
    const expected = SAMPLE_PATHS.flatMap((p) =>
      (allowedMethods(p) ?? []).filter((m) => !["GET", "HEAD", "OPTIONS"].includes(m)).map((m) => `${m} ${p}`),
    );
    expect(Object.keys(ROUTES).sort()).toEqual(expected.sort());
  });

  for (const [route, call] of Object.entries(ROUTES)) {
    it(`${route}: another port of the same host gets 403 and nothing happens`, async () => {
      const [method, path] = route.split(" ");
      const res = await call(
        req(path, {
          method,
          body: "title=x",
          headers: { ...session, origin: "http://127.0.0.1:30081", "content-type": "application/x-www-form-urlencoded" },
        }),
      );
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ detail: "cross-origin request refused" });
      expect(res.headers.get("set-cookie")).toBeNull();
      expect([...backend.seen, ...agent.seen]).toHaveLength(0);
    });
  }

  it("login CSRF: a cross-site text/plain form cannot log the victim in", async () => {
    const form = { method: "POST", body: JSON.stringify(CREDS), headers: { "content-type": "text/plain" } };
    for (const headers of [{ origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }] as Record<string, string>[]) {
      const res = await loginRoute.POST(req("/api/auth/login", { ...form, headers: { ...form.headers, ...headers } }));
      expect(res.status).toBe(403);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect(backend.seen).toHaveLength(0);
  });

  const accepted: [string, Record<string, string>][] = [
    ["no Origin and no Sec-Fetch-Site (curl, Ansible's uri)", {}],
    ["the app's own origin", { origin: OWN }],
    ["the node IP's origin", { host: "192.168.49.2:30080", origin: "http://192.168.49.2:30080" }],
    ["an https ingress (X-Forwarded-Proto)", { host: "todo.example", "x-forwarded-proto": "https", origin: "https://todo.example" }],
    ["a default port spelt out in Host", { host: "todo.example:443", "x-forwarded-proto": "https", origin: "https://todo.example" }],
    ["Sec-Fetch-Site same-origin without Origin", { "sec-fetch-site": "same-origin" }],
  ];
  for (const [name, headers] of accepted) {
    it(`accepts ${name}`, async () => {
      const res = await loginRoute.POST(req("/api/auth/login", { method: "POST", json: CREDS, headers }));
      expect(res.status).toBe(200);
      expect(res.headers.get("set-cookie")).toMatch(/^todo_session=jwt-abc;/);
    });
  }

  const refused: [string, Record<string, string>][] = [
    ["another port", { origin: "http://127.0.0.1:30081" }],
    ["another host", { origin: "http://evil.example" }],
    ["http where the app is https", { host: "todo.example", "x-forwarded-proto": "https", origin: "http://todo.example" }],
    ["an opaque origin (null)", { origin: "null" }],
    ["a garbled Origin", { origin: "not a url" }],
    ["Sec-Fetch-Site same-site without Origin", { "sec-fetch-site": "same-site" }],
    ["Sec-Fetch-Site cross-site without Origin", { "sec-fetch-site": "cross-site" }],
  ];
  for (const [name, headers] of refused) {
    it(`refuses ${name}`, async () => {
      const res = await loginRoute.POST(req("/api/auth/login", { method: "POST", json: CREDS, headers }));
      expect(res.status).toBe(403);
      expect(backend.seen).toHaveLength(0);
    });
  }

  it("refuses an Origin when the request names no Host to compare it with", async () => {
    const r = new NextRequest(`${OWN}/api/auth/login`, {
      method: "POST",
      body: JSON.stringify(CREDS),
      headers: { origin: OWN, "content-type": "application/json" },
    });
    expect((await loginRoute.POST(r)).status).toBe(403);
  });
});

describe("bodies must be JSON", () => {
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
    it(`refuses ${type} with 415, even from the app's own origin`, async () => {
      for (const route of ["POST /api/auth/login", "POST /api/todos", "POST /api/chat", "POST /api/todos/3/complete"]) {
        const [method, path] = route.split(" ");
        const headers = { ...session, origin: OWN, "content-type": type };
        const res = await ROUTES[route](req(path, { method, body: JSON.stringify(CREDS), headers }));
        expect(res.status, route).toBe(415);
        expect((await res.json()).detail).toMatch(/must be JSON/);
      }
      expect([...backend.seen, ...agent.seen]).toHaveLength(0);
    });
  }

  it("requires a JSON content type where a body is expected", async () => {
    const res = await ROUTES["POST /api/todos"](req("/api/todos", { method: "POST", headers: { ...session, origin: OWN } }));
    expect(res.status).toBe(415);
  });

  it("takes application/json with a charset, and body-less actions without a content type", async () => {
    const created = await ROUTES["POST /api/todos"](
      req("/api/todos", {
        method: "POST",
        json: { title: "milk" },
        headers: { ...session, "content-type": "application/json; charset=UTF-8" },
      }),
    );
    expect(created.status).toBe(201);
    for (const route of ["POST /api/todos/3/complete", "DELETE /api/todos/3", "POST /api/auth/logout"]) {
      const [method, path] = route.split(" ");
      const res = await ROUTES[route](req(path, { method, headers: { ...session, origin: OWN } }));
      expect(res.status, route).toBeLessThan(300);
    }
  });
});

describe("a cookie that cannot be a token is no session", () => {
  const BROKEN = ["a%0Db", "%E2%82%AC", "%00", "a%20b", "x".repeat(5000)];

  it("answers 401, expires the cookie, calls nothing upstream and logs no header value", async () => {
    const logged = [vi.spyOn(console, "error").mockImplementation(() => {}), vi.spyOn(console, "warn").mockImplementation(() => {})];
    for (const value of BROKEN) {
      const headers = { cookie: `todo_session=${value}` };
      for (const res of [
        await todosRoute.GET(req("/api/todos", { headers }), ctx()),
        await meRoute.GET(req("/api/auth/me", { headers })),
        await meRoute.DELETE(req("/api/auth/me", { method: "DELETE", headers })),
        await chatRoute.POST(req("/api/chat", { method: "POST", json: { message: "hi" }, headers })),
      ]) {
        expect(res.status, value).toBe(401);
        expect(await res.json()).toEqual({ detail: "not logged in" });
        expect(res.headers.get("set-cookie")).toMatch(CLEARED);
      }
    }
    expect([...backend.seen, ...agent.seen]).toHaveLength(0);
    expect(logged.flatMap((spy) => spy.mock.calls)).toEqual([]);
  });

  it("an unexpected error is logged by its class only, never its message", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = handleError(new TypeError('Headers.set: "Bearer secret-token" is an invalid header value.'));
    expect(res.status).toBe(500);
    const lines = error.mock.calls.map((args) => args.join(" ")).join("\n");
    expect(lines).toContain("TypeError");
    expect(lines).not.toContain("secret-token");
  });
});

describe("logout ends the session on the backend", () => {
  it("sends the token to POST /api/v1/auth/logout, then expires the cookie", async () => {
    const res = await logoutRoute.POST(req("/api/auth/logout", { method: "POST", headers: { ...session, "x-request-id": "req-9" } }));
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(CLEARED);
    expect(backend.seen).toHaveLength(1);
    const [seen] = backend.seen;
    expect(`${seen.method} ${seen.url}`).toBe("POST /api/v1/auth/logout");
    expect(seen.headers.authorization).toBe("Bearer jwt-abc");
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers["x-request-id"]).toBe("req-9");
  });

  it("still logs the browser out when the backend fails or is down, and says so without the token", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    logoutReply = { status: 503, body: { detail: "the database is unavailable" } };
    const failed = await logoutRoute.POST(req("/api/auth/logout", { method: "POST", headers: session }));
    process.env.BACKEND_URL = `http://127.0.0.1:${await deadPort()}`;
    const down = await logoutRoute.POST(req("/api/auth/logout", { method: "POST", headers: session }));
    for (const res of [failed, down]) {
      expect(res.status).toBe(204);
      expect(res.headers.get("set-cookie")).toMatch(CLEARED);
    }
    const lines = warn.mock.calls.map((args) => args.join(" "));
    expect(lines).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/answered 503[\s\S]*unreachable/);
    expect(lines.join("\n")).not.toContain("jwt-abc");
  });

  it("an already refused token (401) is nothing to warn about", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    logoutReply = { status: 401, body: { detail: "Could not validate credentials" } };
    const res = await logoutRoute.POST(req("/api/auth/logout", { method: "POST", headers: session }));
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(CLEARED);
    expect(warn).not.toHaveBeenCalled();
  });

  it("without a usable session it only expires the cookie", async () => {
    for (const headers of [{}, { cookie: "todo_session=a%0Db" }] as Record<string, string>[]) {
      const res = await logoutRoute.POST(req("/api/auth/logout", { method: "POST", headers }));
      expect(res.status).toBe(204);
      expect(res.headers.get("set-cookie")).toMatch(CLEARED);
    }
    expect(backend.seen).toHaveLength(0);
  });
});

describe("the client's address is passed upstream", () => {
  it("forwards X-Forwarded-For (as the server's guard left it) on login, register and the proxied calls", async () => {
    const xff = { "x-forwarded-for": "203.0.113.9, 10.244.0.1" };
    await loginRoute.POST(req("/api/auth/login", { method: "POST", json: CREDS, headers: xff }));
    await registerRoute.POST(req("/api/auth/register", { method: "POST", json: CREDS, headers: xff }));
    await todosRoute.GET(req("/api/todos", { headers: { ...session, ...xff } }), ctx());
    await chatRoute.POST(req("/api/chat", { method: "POST", json: { message: "hi" }, headers: { ...session, ...xff } }));
    const seen = [...backend.seen, ...agent.seen];
    expect(seen.length).toBeGreaterThanOrEqual(6);
    for (const s of seen) expect(s.headers["x-forwarded-for"], s.url).toBe("203.0.113.9, 10.244.0.1");
  });

  it("drops a header that is not a list of addresses", async () => {
    await todosRoute.GET(req("/api/todos", { headers: { ...session, "x-forwarded-for": "<script>, 1.2.3.4" } }), ctx());
    expect(backend.seen[0].headers["x-forwarded-for"]).toBeUndefined();
  });
});

describe("API answers are never cached", () => {
  it("sets no-store and a CSP under which nothing runs on data, errors and refusals; HSTS only over https", async () => {
    const answers = [
      await todosRoute.GET(req("/api/todos", { headers: session }), ctx()),
      await meRoute.GET(req("/api/auth/me", { headers: session })),
      await loginRoute.POST(req("/api/auth/login", { method: "POST", json: CREDS })),
      await todosRoute.GET(req("/api/todos"), ctx()),
      await loginRoute.POST(req("/api/auth/login", { method: "POST", json: CREDS, headers: { origin: "http://evil.example" } })),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 401, 403]);
    for (const res of answers) {
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
    const https = await meRoute.GET(req("/api/auth/me", { headers: { ...session, "x-forwarded-proto": "https" } }));
    expect(https.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}/);
  });
});
