// Attacks on the running frontend, sent as an attacker would send them: over real HTTP to the
// standalone server (or the deployed one, E2E_BASE_URL) and, for cross-site requests, from a
// page on another port of the same host in the same Chromium. Registered by run-e2e.mjs after
// the browser walk; every loop is bounded in count and time, and all traffic stays on 127.0.0.1.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { test } from "node:test";

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const JSON_TYPE = { "content-type": "application/json" };

/** Resident memory of a local process, in MiB (Linux /proc). */
export function rssMiB(pid) {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kib / 1024;
}

/**
 * POSTs `mib` MiB with chunked transfer encoding (no Content-Length), 64 KiB at a time, and
 * stops sending once an answer arrives. Resolves with the answer, whether it came before the
 * whole body was sent, and how much was sent by then.
 */
export function chunkedPost(url, { mib, headers = {}, timeoutMs = 60_000 }) {
  return new Promise((resolve, reject) => {
    const total = mib * 1024 * 1024;
    let sent = 0;
    let sentAll = false;
    let answer = null;
    const req = http.request(url, { method: "POST", headers: { ...JSON_TYPE, ...headers }, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("response", (res) => {
      answer = { status: res.statusCode, headers: res.headers, beforeAllSent: !sentAll, sentMiB: sent / 1048576 };
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ ...answer, body });
      });
    });
    // Once answered, a refused write (the server closed the connection) is the expected end.
    req.on("error", (err) => {
      if (answer) return;
      clearTimeout(timer);
      reject(new Error(`no answer after sending ${(sent / 1048576).toFixed(1)} MiB: ${err.code ?? err.message}`));
    });
    const pump = () => {
      while (!answer && sent < total) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once("drain", pump);
      }
      if (!answer) {
        sentAll = true;
        req.end();
      }
    };
    pump();
  });
}

/** One raw request with Node's http client (fetch refuses TRACE and will not send some headers). */
export function send(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: 15_000 }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A loopback HTTP server answering every request with `handler`, recording what it got. */
export async function startServer(handler) {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

const cookieOf = (res) => /todo_session=([^;]*)/.exec(res.headers["set-cookie"]?.join(";") ?? "")?.[1];

/**
 * Registers the probe tests. `ctx` gives, once the walk's before() ran: baseURL(), pid() (the
 * frontend's process id, or null when it is not ours), page() and browser() (Chromium),
 * backendURL() (null when not ours), startStandalone(env) and an `external` reason (string)
 * when the frontend is a deployed one whose server and upstreams this test cannot start.
 */
export function registerProbes(ctx) {
  const run = Date.now().toString(36);
  const password = "probe password 1";
  let cookie; // a real session of a throwaway user, for the probes that need one

  const base = () => ctx.baseURL();
  async function register(email) {
    const res = await send(`${base()}/api/auth/register`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ email, password }),
    });
    assert.equal(res.status, 201, res.body);
    return cookieOf(res);
  }

  test("probe: chunked bodies of 64 MiB and 256 MiB are refused after 64 KiB, memory stays flat", async () => {
    cookie = await register(`probe-${run}@example.com`);
    const pid = ctx.pid();
    for (const [path, mib] of [["/api/auth/login", 64], ["/api/todos", 256]]) {
      const before = pid ? rssMiB(pid) : null;
      let peak = before;
      const sampler = pid && setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
      let res;
      try {
        // The server answers 413 with `Connection: close`, then drains what is still on the way
        // before it closes (lib/server/http-guard.ts lingerBeforeClose): no reset may take the
        // answer, also through Docker's port proxy when the frontend runs in a container.
        res = await chunkedPost(`${base()}${path}`, { mib, headers: { cookie: `todo_session=${cookie}` } });
      } finally {
        if (sampler) clearInterval(sampler);
      }
      await new Promise((r) => setTimeout(r, 200));
      if (pid) peak = Math.max(peak, rssMiB(pid));
      const growth = pid ? peak - before : null;
      console.log(
        `# chunked ${mib} MiB POST ${path}: ${res.status} after sending ${res.sentMiB.toFixed(1)} MiB` +
          (pid ? `; frontend RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB` : "; RSS not measured (not our process)"),
      );
      assert.equal(res.status, 413, res.body);
      assert.match(JSON.parse(res.body).detail, /larger than 64 KiB/);
      assert.ok(res.beforeAllSent, `the 413 came only after all ${mib} MiB were sent`);
      assert.ok(res.sentMiB < mib / 2, `${res.sentMiB.toFixed(1)} of ${mib} MiB were sent before the answer`);
      if (pid) assert.ok(growth < 32, `the frontend's RSS grew by ${growth.toFixed(0)} MiB`);
    }
    // Still serving afterwards.
    assert.equal((await send(`${base()}/api/healthz`)).status, 200);
  });

  test("probe: TRACE and other unanswered methods get 405 with Allow, not 500", async () => {
    for (const [method, path, allow] of [
      ["TRACE", "/api/auth/login", "POST, OPTIONS"],
      ["TRACE", "/api/todos", "GET, HEAD, POST, OPTIONS"],
      ["TRACE", "/login", "GET, HEAD, OPTIONS"],
      ["PUT", "/api/auth/login", "POST, OPTIONS"],
      ["DELETE", "/", "GET, HEAD, OPTIONS"],
      ["POST", "/api/healthz", "GET, HEAD, OPTIONS"],
    ]) {
      const res = await send(`${base()}${path}`, { method, headers: { cookie: `todo_session=${cookie}` } });
      assert.deepEqual([method, path, res.status, res.headers.allow], [method, path, 405, allow]);
    }
  });

  test("probe: a session cookie that cannot be a token is no session: 401, expired, no loop", async () => {
    for (const value of ["a%0Db", "%E2%82%AC", "%00"]) {
      const headers = { cookie: `todo_session=${value}` };
      for (const [method, path] of [["GET", "/api/todos"], ["GET", "/api/auth/me"], ["DELETE", "/api/auth/me"]]) {
        const res = await send(`${base()}${path}`, { method, headers });
        assert.deepEqual([value, path, res.status], [value, path, 401], res.body);
        assert.match(res.headers["set-cookie"]?.join(";") ?? "", /todo_session=;.*Max-Age=0/i);
      }
      const chat = await send(`${base()}/api/chat`, { method: "POST", headers: { ...headers, ...JSON_TYPE }, body: '{"message":"hi"}' });
      assert.equal(chat.status, 401);
      // The pages agree with the API: the list sends to login, and login does not send back.
      const home = await send(`${base()}/`, { headers });
      assert.deepEqual([home.status, home.headers.location], [307, "/login"]);
      assert.equal((await send(`${base()}/login`, { headers })).status, 200);
    }
  });

  test("probe: pages and API answers carry the security headers", async () => {
    const page = await send(`${base()}/login`);
    assert.equal(page.status, 200);
    const csp = page.headers["content-security-policy"] ?? "";
    assert.match(csp, /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    assert.doesNotMatch(csp, /unsafe-(eval|inline)/);
    assert.match(page.headers["permissions-policy"] ?? "", /camera=\(\)/);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    assert.equal(page.headers["referrer-policy"], "same-origin");
    assert.equal(page.headers["strict-transport-security"], undefined, "no HSTS over plain http");
    const nonce = /'nonce-([^']+)'/.exec(csp)[1];
    const scripts = page.body.match(/<script\b[^>]*>/g) ?? [];
    assert.ok(scripts.length > 0);
    for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `script without this response's nonce: ${tag}`);

    const https = await send(`${base()}/login`, { headers: { "x-forwarded-proto": "https" } });
    assert.match(https.headers["strict-transport-security"] ?? "", /^max-age=\d+/);

    for (const path of ["/api/todos", "/api/auth/me"]) {
      const res = await send(`${base()}${path}`, { headers: { cookie: `todo_session=${cookie}` } });
      assert.deepEqual([path, res.status, res.headers["cache-control"]], [path, 200, "no-store"]);
    }
  });

  test("probe: a form on another port of the same host cannot complete a todo or log the victim in", async () => {
    const page = ctx.page();
    const victim = `victim-${run}@example.com`;
    const mallory = `mallory-${run}@example.com`;
    await register(mallory);
    // The victim signs up in the browser and has one open todo.
    await page.goto("/signup");
    await page.getByLabel("Email").fill(victim);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "Nothing to do yet" }).waitFor();
    const todo = await page.evaluate(async () => {
      const r = await fetch("/api/todos", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "keep me open" }),
      });
      return r.json();
    });

    // The attacker's pages: same host (127.0.0.1), another port, so "same site" for the cookie.
    const target = base();
    const pages = {
      "/complete": `<form method="POST" action="${target}/api/todos/${todo.id}/complete"><input name="a" value="1"></form>`,
      // text/plain sends name=value: {"email":...,"x":"="} is JSON the old login accepted.
      "/login":
        `<form method="POST" enctype="text/plain" action="${target}/api/auth/login">` +
        `<input name='{"email":"${mallory}","password":"${password}","x":"' value='"}'></form>`,
    };
    const attacker = await startServer((req, res) => {
      const form = pages[req.url];
      res.writeHead(form ? 200 : 404, { "content-type": "text/html" });
      res.end(form ? `<!doctype html><body>${form}<script>document.forms[0].submit()</script></body>` : "");
    });
    try {
      for (const path of Object.keys(pages)) {
        const answered = page.waitForResponse((r) => r.url().startsWith(target) && r.request().method() === "POST");
        await page.goto(`${attacker.url}${path}`);
        const res = await answered;
        assert.deepEqual([path, res.status()], [path, 403]);
      }
      await page.goto("/");
      const state = await page.evaluate(async (id) => {
        const [me, t] = await Promise.all([fetch("/api/auth/me"), fetch(`/api/todos/${id}`)]);
        return { me: (await me.json()).email, completed: (await t.json()).completed };
      }, todo.id);
      assert.deepEqual(state, { me: victim, completed: false });
    } finally {
      await attacker.close();
    }
  });

  test("probe: logout ends the session in the backend; the old cookie no longer works", async (t) => {
    if (ctx.external) return t.skip(ctx.external);
    const page = ctx.page();
    await page.goto("/");
    const old = (await ctx.browser().cookies()).find((c) => c.name === "todo_session")?.value;
    assert.ok(old, "the victim of the previous probe is logged in");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL("**/login");
    const replay = await send(`${base()}/api/auth/me`, { headers: { cookie: `todo_session=${old}` } });
    assert.equal(replay.status, 401);
    // The ended session's cookie back in the browser (a restored tab would still have it): the
    // page still ends at the login screen, and the cookie is expired on the way.
    await ctx.browser().addCookies([{ name: "todo_session", value: old, url: base(), httpOnly: true, sameSite: "Lax" }]);
    await page.goto("/");
    await page.waitForURL("**/login");
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();
    assert.deepEqual((await ctx.browser().cookies()).filter((c) => c.name === "todo_session"), []);
  });

  test("probe: the standalone server forwards the client's address and ends sessions upstream", async (t) => {
    if (ctx.external) return t.skip(ctx.external);
    const backend = await startServer((req, res) => {
      const json = (status, body) => res.writeHead(status, JSON_TYPE).end(JSON.stringify(body));
      if (req.url === "/api/v1/auth/login") return json(200, { access_token: "tok-123", token_type: "bearer", expires_in: 60 });
      if (req.url === "/api/v1/users/me") return json(200, { id: 1, email: "a@example.com", created_at: "2026-12-01T00:00:00Z" });
      if (req.url === "/api/v1/auth/logout") return res.writeHead(204).end();
      return json(404, { detail: "Not Found" });
    });
    const frontend = await ctx.startStandalone({ BACKEND_URL: backend.url, AI_AGENT_URL: "http://127.0.0.1:9" });
    try {
      const login = await send(`${frontend.url}/api/auth/login`, {
        method: "POST",
        headers: { ...JSON_TYPE, "x-forwarded-for": "203.0.113.50" },
        body: JSON.stringify({ email: "a@example.com", password }),
      });
      assert.equal(login.status, 200, login.body);
      const logout = await send(`${frontend.url}/api/auth/logout`, {
        method: "POST",
        headers: { cookie: `todo_session=${cookieOf(login)}` },
      });
      assert.equal(logout.status, 204);
      assert.match(logout.headers["set-cookie"]?.join(";") ?? "", /todo_session=;.*Max-Age=0/i);
      assert.deepEqual(
        backend.seen.map((s) => [s.method, s.url, s.headers["x-forwarded-for"], s.headers.authorization]),
        [
          // The claimed address is kept, the socket's is appended: the backend counts the last one.
          ["POST", "/api/v1/auth/login", "203.0.113.50, 127.0.0.1", undefined],
          ["GET", "/api/v1/users/me", "203.0.113.50, 127.0.0.1", "Bearer tok-123"],
          ["POST", "/api/v1/auth/logout", "127.0.0.1", "Bearer tok-123"],
        ],
      );
    } finally {
      await frontend.stop();
      await backend.close();
    }
  });
}
