// The todo page's server-side load (lib/server/first-page.ts) against a real HTTP server
// standing in for the backend: what it asks for, and what each kind of answer turns into.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { beforeEach, describe, expect, it } from "vitest";
import { FIRST_PAGE_TIMEOUT_MS, loadFirstPage } from "@/lib/server/first-page";
import { deadPort, upstreamForTests, type Reply } from "./upstream";
import { todo } from "./fixtures";

const USER = { id: 7, email: "ada@example.com", created_at: "2026-11-28T08:00:00Z" };
const PAGE = { items: [todo({ title: "Buy milk" }), todo({ title: "Pay rent" })], total: 2, limit: 100, offset: 0 };

let meReply: Reply;
let listReply: Reply;
const backend = upstreamForTests("BACKEND_URL", {
  "GET /api/v1/users/me": () => meReply,
  "GET /api/v1/todos": () => listReply,
});
beforeEach(() => {
  meReply = { status: 200, body: USER };
  listReply = { status: 200, body: PAGE };
});

const browser = { headers: new Headers({ "x-forwarded-for": "203.0.113.9", "x-request-id": "page-1" }) };

describe("the todo page's first load", () => {
  it("fetches the user and the first page of todos with the session's token", async () => {
    expect(await loadFirstPage("jwt-abc", browser)).toEqual({ state: "ready", data: { user: USER, todos: PAGE } });
    const urls = backend.seen.map((s) => s.url).sort();
    expect(urls).toEqual(["/api/v1/todos?limit=100&offset=0", "/api/v1/users/me"]);
    for (const seen of backend.seen) {
      expect(seen.headers.authorization).toBe("Bearer jwt-abc");
      expect(seen.headers["x-forwarded-for"]).toBe("203.0.113.9");
      expect(seen.headers["x-request-id"]).toBe("page-1");
    }
  });

  it("reports a token the backend refuses, so the browser is sent to log in", async () => {
    meReply = { status: 401, body: { detail: "Could not validate credentials" } };
    listReply = { status: 401, body: { detail: "Could not validate credentials" } };
    expect(await loadFirstPage("jwt-stale", browser)).toEqual({ state: "unauthorized" });
  });

  it("leaves the list to the browser when the backend fails or answers nonsense", async () => {
    listReply = { status: 500, raw: "<html>Internal Server Error</html>" };
    expect(await loadFirstPage("jwt-abc", browser)).toEqual({ state: "unavailable" });
    listReply = { status: 200, raw: "not json", headers: { "content-type": "application/json" } };
    expect(await loadFirstPage("jwt-abc", browser)).toEqual({ state: "unavailable" });
    listReply = { status: 200, body: { items: "nope" } };
    expect(await loadFirstPage("jwt-abc", browser)).toEqual({ state: "unavailable" });
  });

  it("leaves the list to the browser when the backend is unreachable or not configured", async () => {
    process.env.BACKEND_URL = `http://127.0.0.1:${await deadPort()}`;
    expect(await loadFirstPage("jwt-abc", browser)).toEqual({ state: "unavailable" });
    delete process.env.BACKEND_URL;
    expect(await loadFirstPage("jwt-abc", browser)).toEqual({ state: "unavailable" });
  });

  it("does not hold the page for a backend that does not answer", async () => {
    const silent = http.createServer(() => {}); // accepts, never answers
    await new Promise<void>((ok) => silent.listen(0, "127.0.0.1", ok));
    process.env.BACKEND_URL = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const start = performance.now();
      expect(await loadFirstPage("jwt-abc", browser)).toEqual({ state: "unavailable" });
      expect(performance.now() - start).toBeLessThan(FIRST_PAGE_TIMEOUT_MS + 1_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((ok) => silent.close(ok));
    }
  }, 10_000);
});
