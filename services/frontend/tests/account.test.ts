// DELETE /api/auth/me: closes the account through the backend over real HTTP (a loopback
// stand-in that records what it was sent) and ends the session like logout.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/auth/me/route";
import { deadPort, upstreamForTests, type Reply } from "./upstream";

const USER = { id: 7, email: "ada@example.com", created_at: "2026-11-28T08:00:00Z" };
const CLEARED = /^todo_session=;.*Max-Age=0/i;

let closeReply: Reply;
const backend = upstreamForTests("BACKEND_URL", {
  "GET /api/v1/users/me": () => ({ status: 200, body: USER }),
  "DELETE /api/v1/users/me": () => closeReply,
});

function del(headers: Record<string, string> = {}) {
  return new NextRequest("http://localhost:3000/api/auth/me", { method: "DELETE", headers });
}
const session = { cookie: "todo_session=jwt-abc; other=1", "x-request-id": "req-7" };

describe("DELETE /api/auth/me", () => {
  it("closes the account with the session's token, answers 204 and expires the cookie", async () => {
    closeReply = { status: 204, headers: { "x-request-id": "req-7" } };
    const res = await meRoute.DELETE(del({ ...session, authorization: "Bearer forged" }));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(CLEARED);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\//i);
    expect(backend.seen).toHaveLength(1);
    const [seen] = backend.seen;
    expect(`${seen.method} ${seen.url}`).toBe("DELETE /api/v1/users/me");
    expect(seen.headers.authorization).toBe("Bearer jwt-abc");
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers["x-request-id"]).toBe("req-7");
    expect(seen.body).toBe("");
  });

  it("expires a Secure cookie when the browser came over https", async () => {
    closeReply = { status: 204 };
    const res = await meRoute.DELETE(del({ ...session, "x-forwarded-proto": "https" }));
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/Secure/i);
  });

  it("answers 401 without calling the backend when there is no session", async () => {
    for (const headers of [{}, { cookie: "todo_session=" }] as Record<string, string>[]) {
      const res = await meRoute.DELETE(del(headers));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: "not logged in" });
    }
    expect(backend.seen).toHaveLength(0);
  });

  it("passes the backend's 401 through and clears the stale cookie", async () => {
    closeReply = { status: 401, body: { detail: "Could not validate credentials" } };
    const res = await meRoute.DELETE(del(session));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Could not validate credentials" });
    expect(res.headers.get("set-cookie")).toMatch(CLEARED);
  });

  it("keeps the session when the account could not be deleted", async () => {
    closeReply = { status: 503, body: { detail: "the database is unavailable, retry later" } };
    const failed = await meRoute.DELETE(del(session));
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ detail: "the database is unavailable, retry later" });
    expect(failed.headers.get("set-cookie")).toBeNull();

    process.env.BACKEND_URL = `http://127.0.0.1:${await deadPort()}`;
    const unreachable = await meRoute.DELETE(del(session));
    expect(unreachable.status).toBe(502);
    expect(await unreachable.json()).toEqual({ detail: "the todo service is unreachable" });
    expect(unreachable.headers.get("set-cookie")).toBeNull();
  });

  it("leaves GET /api/auth/me as it was: the backend's user", async () => {
    const res = await meRoute.GET(new NextRequest("http://localhost:3000/api/auth/me", { headers: session }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(USER);
    expect(backend.seen[0].method).toBe("GET");
  });
});
