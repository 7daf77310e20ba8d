// End-to-end test in a real browser: Debian Chromium driven by playwright-core, against the
// real frontend (next build + standalone server), the real backend (on a throwaway PostgreSQL)
// and the real agent in offline mode, all on 127.0.0.1. Screenshots: test-results/e2e/.
//
//   TODO_PYTHON=/path/to/venv/bin/python npm run test:e2e
//
// TODO_PYTHON: an interpreter with the backend's and the agent's requirements (default python3).
// TODO_BACKEND_DIR / TODO_AGENT_DIR: the services (default ../backend, ../ai-agent).
// CHROMIUM: the browser (default /usr/bin/chromium). SKIP_BUILD=1 reuses an existing build.
// E2E_BASE_URL: walk an already running frontend instead (the container system test points it
// at the containers built by the images role); nothing is built or started then.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { registerProbes } from "./probes.mjs";
import { startStack, stopStack } from "./stack.mjs";
import { buildStandalone, FRONTEND, startStandalone, waitFor200 } from "./standalone.mjs";

const EXTERNAL = process.env.E2E_BASE_URL;
const SHOTS = path.join(FRONTEND, "test-results", EXTERNAL ? "e2e-deployed" : "e2e");
const PASSWORD = "correct horse battery";
const run = Date.now().toString(36);
const alice = `alice-${run}@example.com`;
const bob = `bob-${run}@example.com`;

let stack; // the Python process running backend + agent
let frontend;
let browser;
let page;
let profile;
let baseURL;
// What Chromium reported about the pages' Content-Security-Policy and Permissions-Policy during
// the walk (console messages and securitypolicyviolation events), and documents served without
// a CSP at all: both must stay empty.
const policyReports = [];
const documentsWithoutCsp = [];
const POLICY_MESSAGE = /Content Security Policy|Content-Security-Policy|Permissions-Policy|Refused to (load|execute|apply|connect|frame)/i;
// React's reports that the server's HTML and the browser's first render differed (production
// builds give the error's number only): the page would be thrown away and rendered again.
const hydrationReports = [];
const HYDRATION_MESSAGE = /hydrat|Minified React error #(418|419|423|425)\b/i;

function day(offset) {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const shot = (name, p = page) => p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const todoItem = (title) => page.getByRole("listitem").filter({ has: page.getByText(title, { exact: true }) });
const api = (url, init) =>
  page.evaluate(
    async ([u, i]) => {
      const r = await fetch(u, i);
      return { status: r.status, body: r.status === 204 ? null : await r.json() };
    },
    [url, init],
  );

async function signUp(email) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
}

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  baseURL = EXTERNAL;
  if (EXTERNAL) {
    console.log(`# walking the running frontend at ${EXTERNAL}`);
    await waitFor200(`${EXTERNAL}/api/healthz`);
  } else {
    // Service logs next to the screenshots: kept for a failed CI run, nothing left in /tmp.
    const logDir = path.join(SHOTS, "logs");
    const [services] = await Promise.all([startStack({ logDir }), Promise.resolve(buildStandalone())]);
    stack = services;
    console.log(`# backend ${stack.backend} (${stack.database}), agent ${stack.agent}, logs in ${stack.logs}`);
    frontend = await startStandalone({ env: { BACKEND_URL: stack.backend, AI_AGENT_URL: stack.agent } });
    await waitFor200(`${frontend.url}/api/healthz`, { proc: frontend.proc });
    baseURL = frontend.url;
  }
  profile = mkdtempSync(path.join(os.tmpdir(), "todo-e2e-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
    viewport: { width: 1280, height: 860 },
    baseURL,
    locale: "en-GB",
  });
  browser.setDefaultTimeout(15_000);
  await browser.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`),
    );
  });
  browser.on("console", (msg) => {
    if (POLICY_MESSAGE.test(msg.text())) policyReports.push(`${msg.type()}: ${msg.text()} (${msg.page()?.url()})`);
    if (HYDRATION_MESSAGE.test(msg.text())) hydrationReports.push(`${msg.type()}: ${msg.text()} (${msg.page()?.url()})`);
  });
  browser.on("weberror", (err) => {
    if (HYDRATION_MESSAGE.test(String(err.error()))) hydrationReports.push(`${err.error()} (${err.page()?.url()})`);
  });
  browser.on("response", (res) => {
    if (res.request().resourceType() === "document" && res.url().startsWith(baseURL) && !res.headers()["content-security-policy"]) {
      documentsWithoutCsp.push(`${res.status()} ${res.url()}`);
    }
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});

after(async () => {
  await browser?.close().catch(() => {});
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (frontend) {
    if (process.exitCode) console.log(frontend.output());
    await frontend.stop();
  }
  await stopStack(stack);
});

test("a visitor is sent to the login screen", async () => {
  await page.goto("/");
  await page.waitForURL("**/login");
  await assert.doesNotReject(page.getByRole("heading", { name: "Welcome back" }).waitFor());
  await shot("01-login");
});

test("sign up lands on an empty, designed list", async () => {
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL("**/signup");
  await signUp(alice);
  await page.getByRole("heading", { name: "My todos" }).waitFor();
  await page.getByRole("heading", { name: "Nothing to do yet" }).waitFor();
  assert.equal(await page.getByLabel("Signed in as").textContent(), alice);
  // The JWT is httpOnly: client JavaScript cannot read it.
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /todo_session/);
  await shot("02-empty-list");
});

test("add todos with priority and due dates; overdue is highlighted", async () => {
  const form = page.getByRole("form", { name: "Add a todo" });
  const add = async (title, priority, due) => {
    await form.getByLabel("New todo").fill(title);
    await form.getByLabel("Priority").selectOption(priority);
    if (due) await form.getByLabel("Due date").fill(due);
    await form.getByRole("button", { name: "Add" }).click();
    await todoItem(title).waitFor();
  };
  await add("Buy milk", "high", day(3));
  await add("Pay rent", "medium", day(-2));
  await add("Write report", "low", null);
  const rent = todoItem("Pay rent");
  assert.match(await rent.getAttribute("class"), /\boverdue\b/);
  assert.match(await rent.textContent(), /Overdue by 2 days/);
  assert.match(await todoItem("Buy milk").textContent(), /Due in 3 days/);
});

test("complete a todo; it stays completed after a reload", async () => {
  await page.getByRole("checkbox", { name: "Complete “Buy milk”" }).check();
  await page.getByRole("checkbox", { name: "Reopen “Buy milk”" }).waitFor();
  await page.reload();
  assert.equal(await page.getByRole("checkbox", { name: "Reopen “Buy milk”" }).isChecked(), true);
  await page.getByRole("button", { name: /^Active/ }).click();
  assert.equal(await todoItem("Buy milk").count(), 0);
  assert.equal(await todoItem("Pay rent").count(), 1);
  await page.getByRole("button", { name: /^All/ }).click();
});

test("the page arrives with the todos in its HTML, before any script runs", async () => {
  const res = await page.request.get("/"); // the browser's cookies, no JavaScript
  assert.equal(res.status(), 200);
  const html = await res.text();
  for (const title of ["Buy milk", "Pay rent", "Write report"]) assert.match(html, new RegExp(`>${title}<`));
  assert.doesNotMatch(html, /Loading todos/);
});

test("edit a todo inline with the keyboard", async () => {
  await page.getByRole("button", { name: "Edit “Write report”" }).click();
  const editor = page.getByRole("form", { name: "Edit “Write report”" });
  await editor.getByLabel("Title").fill("Write the quarterly report");
  await editor.getByLabel("Title").press("Enter");
  await todoItem("Write the quarterly report").waitFor();
  // Escape leaves the editor without saving.
  await page.getByRole("button", { name: "Edit “Write the quarterly report”" }).click();
  const again = page.getByRole("form", { name: "Edit “Write the quarterly report”" });
  await again.getByLabel("Title").fill("should not be saved");
  await shot("03-inline-edit");
  await again.getByLabel("Title").press("Escape");
  // Focus returns to the Edit button, so the keyboard user stays in place.
  await page.waitForFunction(() => document.activeElement?.textContent === "Edit");
  await todoItem("Write the quarterly report").waitFor();
  assert.equal(await todoItem("should not be saved").count(), 0);
});

test("the chat adds a todo and the list shows it", async () => {
  // Keyboard only: the skip link jumps to the chat box, Enter sends.
  await page.getByRole("link", { name: "Skip to the assistant" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.type("add call the dentist");
  await page.keyboard.press("Enter");
  await todoItem("call the dentist").waitFor();
  await page.getByText("offline mode").waitFor();
  await shot("04-list-and-chat");
});

test("delete a todo", async () => {
  await page.getByRole("button", { name: "Delete “Write the quarterly report”" }).click();
  await todoItem("Write the quarterly report").waitFor({ state: "detached" });
  const { body } = await api("/api/todos");
  assert.deepEqual(body.items.map((t) => t.title).sort(), ["Buy milk", "Pay rent", "call the dentist"]);
});

test("phone width stacks the chat under the list", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const list = await page.getByRole("heading", { name: "My todos" }).boundingBox();
  const chat = await page.getByRole("heading", { name: "Assistant" }).boundingBox();
  assert.ok(chat.y > list.y + 100, "chat is below the list");
  assert.ok(Math.abs(chat.x - list.x) < 40, "chat is not beside the list");
  await shot("05-phone");
  await page.setViewportSize({ width: 1280, height: 860 });
});

test("log out; a second user sees none of the first user's todos", async () => {
  const { body: mine } = await api("/api/todos");
  const aliceIds = mine.items.map((t) => t.id);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login");
  assert.equal((await api("/api/todos")).status, 401);

  await page.goto("/signup");
  await signUp(alice); // taken: the backend's reason reaches the user
  await page.getByRole("alert").filter({ hasText: /already/i }).waitFor();
  await shot("06-signup-error");

  await signUp(bob);
  await page.getByRole("heading", { name: "Nothing to do yet" }).waitFor();
  assert.equal(await page.getByLabel("Signed in as").textContent(), bob);
  for (const title of ["Buy milk", "Pay rent", "call the dentist"]) {
    assert.equal(await page.getByText(title, { exact: true }).count(), 0, `${title} must not be visible to bob`);
  }
  assert.equal((await api("/api/todos")).body.total, 0);
  for (const id of aliceIds) assert.equal((await api(`/api/todos/${id}`)).status, 404);
  await shot("07-second-user");
});

const cannotStopUpstreams = EXTERNAL && "E2E_BASE_URL: a deployed frontend's upstreams are not this test's to stop";
test("with the backend and agent down, the user gets readable errors, not a blank page", { skip: cannotStopUpstreams }, async () => {
  // A second frontend on another port whose upstreams are dead; the browser's session cookie
  // (cookies ignore ports) still lets it past the login redirect.
  const down = await startStandalone({ env: { BACKEND_URL: "http://127.0.0.1:9", AI_AGENT_URL: "http://127.0.0.1:9" } });
  try {
    await waitFor200(`${down.url}/api/healthz`, { proc: down.proc });
    await page.goto(`${down.url}/`);
    await page.getByRole("heading", { name: "Your todos could not be loaded" }).waitFor();
    assert.match(await page.locator(".error-state").textContent(), /the todo service is unreachable/);
    assert.equal(await page.locator(".list-panel [role=alert]").count(), 1, "one clear error, not the same one twice");
    const box = page.getByLabel("Message the assistant");
    await box.fill("list my todos");
    await box.press("Enter");
    await page.locator(".chat .msg.error").filter({ hasText: "the chat agent is unreachable" }).waitFor();
    await shot("08-services-down");
  } finally {
    await down.stop();
  }
});

test("delete the account: confirmed by email, signed out, and the login is refused", async () => {
  const carol = `carol-${run}@example.com`;
  await page.goto("/");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login");
  await page.goto("/signup");
  await signUp(carol);
  await page.getByRole("heading", { name: "Nothing to do yet" }).waitFor();
  const form = page.getByRole("form", { name: "Add a todo" });
  await form.getByLabel("New todo").fill("Carol's only todo");
  await form.getByRole("button", { name: "Add" }).click();
  await todoItem("Carol's only todo").waitFor();

  // Escape backs out of the confirmation; nothing happens.
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await page.getByRole("button", { name: "Delete account…" }).click();
  await dialog.waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.equal((await api("/api/todos")).body.total, 1);

  await page.getByRole("button", { name: "Delete account…" }).click();
  assert.match(await dialog.textContent(), new RegExp(`${carol.replace(/[.]/g, "\\.")}.*all of its todos`));
  await shot("09-delete-account");
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await page.waitForURL("**/login?account=deleted");
  await page.getByRole("status").filter({ hasText: "Your account and all of its todos were deleted." }).waitFor();
  assert.equal((await browser.cookies()).filter((c) => c.name === "todo_session").length, 0, "session cookie cleared");
  assert.equal((await api("/api/todos")).status, 401);
  await shot("10-account-deleted");

  await page.getByLabel("Email").fill(carol);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("alert").filter({ hasText: "Incorrect email or password" }).waitFor();
  assert.match(page.url(), /\/login/);

  // The address is free again: a new account, with nothing of the old one's.
  await page.goto("/signup");
  await signUp(carol);
  await page.getByRole("heading", { name: "Nothing to do yet" }).waitFor();
  assert.equal((await api("/api/todos")).body.total, 0);
  assert.equal((await api("/api/auth/me", { method: "DELETE" })).status, 204); // leave nothing behind
});

test("every page the walk opened hydrated the server's HTML as it was", async () => {
  assert.deepEqual(hydrationReports, []);
});

test("the pages ran under their Content-Security-Policy with no violation reported", async () => {
  assert.deepEqual(documentsWithoutCsp, [], "every page came with a Content-Security-Policy");
  assert.deepEqual(policyReports, [], "Chromium reported nothing against the policies");
});

test("the Content-Security-Policy blocks injected inline scripts and eval", async () => {
  // What an injected piece of markup would try: an inline script without the nonce, and a
  // script with the nonce that calls eval. The page is the real one with its real headers; only
  // the two scripts are added to the HTML on its way to the browser.
  await page.route("**/login", async (route) => {
    const res = await route.fetch();
    const nonce = /'nonce-([^']+)'/.exec(res.headers()["content-security-policy"] ?? "")?.[1];
    const injected =
      "<script>window.__injected = true</script>" +
      `<script nonce="${nonce}">try { eval("1"); window.__eval = "ran" } catch (e) { window.__eval = e.name }</script>`;
    await route.fulfill({ response: res, body: (await res.text()).replace("</body>", `${injected}</body>`) });
  });
  try {
    await page.goto("/login");
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();
    await page.waitForFunction(() => window.__eval !== undefined);
    assert.deepEqual(await page.evaluate(() => [window.__injected ?? false, window.__eval]), [false, "EvalError"]);
    const deadline = Date.now() + 5000;
    while (policyReports.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(policyReports.some((r) => /violation: script-src-elem blocked inline/.test(r)), policyReports.join("; "));
    assert.ok(policyReports.some((r) => /violation: script-src blocked eval/.test(r)), policyReports.join("; "));
  } finally {
    await page.unroute("**/login");
    policyReports.length = 0;
  }
});

registerProbes({
  baseURL: () => baseURL,
  pid: () => frontend?.proc.pid ?? null,
  page: () => page,
  browser: () => browser,
  backendURL: () => stack?.backend ?? null,
  external: EXTERNAL && "E2E_BASE_URL: a deployed frontend's server and upstreams are not this test's to start",
  async startStandalone(env) {
    const server = await startStandalone({ env });
    await waitFor200(`${server.url}/api/healthz`, { proc: server.proc });
    return server;
  },
});
