import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import * as chatRoute from "@/app/api/chat/route";
import * as loginRoute from "@/app/api/auth/login/route";
import * as logoutRoute from "@/app/api/auth/logout/route";
import * as registerRoute from "@/app/api/auth/register/route";
import * as todosRoute from "@/app/api/todos/[[...path]]/route";
import { todoPath } from "@/lib/server/routes";
import { deadPort, startUpstream, upstreamForTests } from "./upstream";

const USER = { id: 7, email: "ada@example.com", created_at: "2026-11-28T08:00:00Z" };
const TODO = { id: 3, title: "milk", completed: false };

const backend = upstreamForTests("BACKEND_URL", {
  "POST /api/v1/auth/login": (s) =>
    JSON.parse(s.body).password === "right-password"
      ? { status: 200, body: { access_token: "jwt-abc", token_type: "bearer", expires_in: 1800 } }
      : { status: 401, body: { detail: "Incorrect email or password" } },
  "POST /api/v1/auth/register": (s) =>
    JSON.parse(s.body).email === "taken@example.com"
      ? { status: 409, body: { detail: "email already registered" } }
      : { status: 201, body: USER },
  "/api/v1/users/me": (s) =>
    s.headers.authorization === "Bearer jwt-abc"
      ? { status: 200, body: USER }
      : { status: 401, body: { detail: "Could not validate credentials" } },
  "GET /api/v1/todos": () => ({ status: 200, body: { items: [TODO], total: 1, limit: 50, offset: 0 } }),
  "POST /api/v1/todos": (s) => ({ status: 201, body: { ...TODO, ...JSON.parse(s.body) } }),
  "DELETE /api/v1/todos/3": () => ({ status: 204 }),
  "POST /api/v1/auth/logout": () => ({ status: 204 }),
  "GET /api/v1/todos/9": () => ({ status: 404, body: { detail: "Todo not found" } }),
  "GET /api/v1/todos/500": () => ({ status: 500, raw: "<html>Internal Server Error</html>" }),
  "GET /api/v1/todos/401": () => ({ status: 401, body: { detail: "Token expired" } }),
});
const agent = upstreamForTests("AI_AGENT_URL", {
  "POST /api/v1/chat": () => ({ status: 200, body: { reply: "Added milk", actions: [], mode: "offline" } }),
});

function req(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return new NextRequest(`http://localhost:3000${path}`, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const withSession = (token = "jwt-abc") => ({ cookie: `todo_session=${token}; other=1` });
const ctx = (...path: string[]) => ({ params: Promise.resolve({ path }) });

describe("todo routes", () => {
  it("sends the cookie's token as bearer and nothing else from the browser", async () => {
    const res = await todosRoute.GET(
      req("/api/todos?completed=false&sort=-due_date", {
        headers: { ...withSession(), authorization: "Bearer forged", "x-request-id": "req-42" },
      }),
      ctx(),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [TODO], total: 1, limit: 50, offset: 0 });
    const [seen] = backend.seen;
    expect(seen.url).toBe("/api/v1/todos?completed=false&sort=-due_date");
    expect(seen.headers.authorization).toBe("Bearer jwt-abc");
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers["x-request-id"]).toBe("req-42");
  });

  it("forwards method and body and keeps the upstream status", async () => {
    const res = await todosRoute.POST(
      req("/api/todos", { method: "POST", body: { title: "bread", priority: "high" }, headers: withSession() }),
      ctx(),
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ title: "bread", priority: "high" });
    expect(JSON.parse(backend.seen[0].body)).toEqual({ title: "bread", priority: "high" });
    expect(backend.seen[0].headers["content-type"]).toBe("application/json");
  });

  it("passes 204 and backend errors through with their detail", async () => {
    const del = await todosRoute.DELETE(req("/api/todos/3", { method: "DELETE", headers: withSession() }), ctx("3"));
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    const missing = await todosRoute.GET(req("/api/todos/9", { headers: withSession() }), ctx("9"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Todo not found" });
  });

  it("turns a non-JSON upstream error into a readable detail", async () => {
    const res = await todosRoute.GET(req("/api/todos/500", { headers: withSession() }), ctx("500"));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: "the todo service answered 500" });
  });

  it("refuses an oversized body with 413 before calling the backend", async () => {
    const res = await todosRoute.POST(
      req("/api/todos", { method: "POST", body: { title: "x".repeat(70_000) }, headers: withSession() }),
      ctx(),
    );
    expect(res.status).toBe(413);
    expect((await res.json()).detail).toMatch(/larger than 64 KiB/);
    expect(backend.seen).toHaveLength(0);
  });

  it("answers 401 without calling the backend when there is no session", async () => {
    const res = await todosRoute.GET(req("/api/todos"), ctx());
    expect(res.status).toBe(401);
    expect(backend.seen).toHaveLength(0);
  });

  it("clears a session cookie the backend no longer accepts", async () => {
    const res = await todosRoute.GET(req("/api/todos/401", { headers: withSession() }), ctx("401"));
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toMatch(/^todo_session=;.*Max-Age=0/i);
  });

  it("refuses paths outside the contract before they reach the backend", async () => {
    expect(todoPath([])).toBe("/api/v1/todos");
    expect(todoPath(["12", "complete"])).toBe("/api/v1/todos/12/complete");
    expect(todoPath(["12", "reopen"])).toBe("/api/v1/todos/12/reopen");
    for (const bad of [["..", "users"], ["12", "share"], ["1", "complete", "x"], ["abc"]]) {
      expect(todoPath(bad)).toBeNull();
    }
    const res = await todosRoute.GET(req("/api/todos/x", { headers: withSession() }), ctx("..", "users", "me"));
    expect(res.status).toBe(404);
    expect(backend.seen).toHaveLength(0);
  });

  it("answers 502 with a detail when the backend is unreachable", async () => {
    process.env.BACKEND_URL = `http://127.0.0.1:${await deadPort()}`;
    const res = await todosRoute.GET(req("/api/todos", { headers: withSession() }), ctx());
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ detail: "the todo service is unreachable" });
  });

  it("names the missing setting instead of failing obscurely", async () => {
    delete process.env.BACKEND_URL;
    const res = await todosRoute.GET(req("/api/todos", { headers: withSession() }), ctx());
    expect(res.status).toBe(500);
    expect((await res.json()).detail).toMatch(/BACKEND_URL is not set/);
  });

  it("reads the backend address per request, not once at start", async () => {
    const other = await startUpstream({
      "GET /api/v1/todos": () => ({ status: 200, body: { items: [], total: 0, limit: 50, offset: 0 } }),
    });
    try {
      process.env.BACKEND_URL = other.url;
      const res = await todosRoute.GET(req("/api/todos", { headers: withSession() }), ctx());
      expect((await res.json()).total).toBe(0);
      expect(other.seen).toHaveLength(1);
      expect(backend.seen).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe("chat route", () => {
  it("forwards to the agent with the user's token", async () => {
    const res = await chatRoute.POST(req("/api/chat", { method: "POST", body: { message: "add milk" }, headers: withSession() }));
    expect(res.status).toBe(200);
    expect((await res.json()).mode).toBe("offline");
    expect(agent.seen[0].url).toBe("/api/v1/chat");
    expect(agent.seen[0].headers.authorization).toBe("Bearer jwt-abc");
  });

  it("says the agent is unreachable in its own words", async () => {
    process.env.AI_AGENT_URL = `http://127.0.0.1:${await deadPort()}`;
    const res = await chatRoute.POST(req("/api/chat", { method: "POST", body: { message: "hi" }, headers: withSession() }));
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ detail: "the chat agent is unreachable" });
  });
});

describe("session routes", () => {
  it("logs in: user in the body, token only in an httpOnly SameSite=Lax cookie", async () => {
    const res = await loginRoute.POST(
      req("/api/auth/login", { method: "POST", body: { email: USER.email, password: "right-password" } }),
    );
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual(USER);
    expect(body).not.toContain("jwt-abc");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^todo_session=jwt-abc;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).toMatch(/Max-Age=1800/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it("marks the cookie Secure when the browser came over https", async () => {
    const res = await loginRoute.POST(
      req("/api/auth/login", {
        method: "POST",
        body: { email: USER.email, password: "right-password" },
        headers: { "x-forwarded-proto": "https" },
      }),
    );
    expect(res.headers.get("set-cookie")).toMatch(/Secure/i);
  });

  it("passes a refused login through and sets no cookie", async () => {
    const res = await loginRoute.POST(req("/api/auth/login", { method: "POST", body: { email: USER.email, password: "nope-nope" } }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Incorrect email or password" });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("rejects a body that is not JSON credentials with 400 and a reason", async () => {
    const bad = new NextRequest("http://localhost:3000/api/auth/login", {
      method: "POST",
      body: "email=x",
      headers: { "content-type": "application/json" },
    });
    const res = await loginRoute.POST(bad);
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toMatch(/JSON/);
    // Without a JSON content type it is not even parsed (a form's body: tests/security.test.ts).
    const form = new NextRequest("http://localhost:3000/api/auth/login", { method: "POST", body: "email=x" });
    expect((await loginRoute.POST(form)).status).toBe(415);
    const missing = await loginRoute.POST(req("/api/auth/login", { method: "POST", body: { email: "a@b.c" } }));
    expect(missing.status).toBe(400);
    expect(backend.seen).toHaveLength(0);
  });

  it("registers then logs in: 201 with the user and the cookie", async () => {
    const res = await registerRoute.POST(
      req("/api/auth/register", { method: "POST", body: { email: USER.email, password: "right-password" } }),
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual(USER);
    expect(res.headers.get("set-cookie")).toMatch(/^todo_session=jwt-abc;/);
    expect(backend.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST /api/v1/auth/register",
      "POST /api/v1/auth/login",
      "GET /api/v1/users/me",
    ]);
  });

  it("passes a duplicate registration through as 409", async () => {
    const res = await registerRoute.POST(
      req("/api/auth/register", { method: "POST", body: { email: "taken@example.com", password: "right-password" } }),
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ detail: "email already registered" });
  });

  it("logs out by ending the session upstream and expiring the cookie", async () => {
    const res = await logoutRoute.POST(req("/api/auth/logout", { method: "POST", headers: withSession() }));
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/^todo_session=;.*Max-Age=0/i);
    expect(backend.seen.map((s) => `${s.method} ${s.url} ${s.headers.authorization}`)).toEqual([
      "POST /api/v1/auth/logout Bearer jwt-abc",
    ]);
  });
});
