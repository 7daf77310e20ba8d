#!/usr/bin/env node
// Time from navigation to the first todo on screen, in Chromium, for a signed-in user with
// TODOS todos: the real frontend (standalone server), backend (throwaway PostgreSQL) and agent
// on loopback, as the browser test runs them (e2e/stack.py). Prints numbers; asserts nothing.
//
//   TODO_PYTHON=.venv/bin/python node bench/frontend_first_todo.mjs
//   RUNS=30 TODOS=20 SKIP_BUILD=1 CHROMIUM=/usr/bin/chromium node bench/frontend_first_todo.mjs
//
// Two ways in, RUNS navigations each: "cold" is a new browser context per run (empty cache, new
// connection: a first visit); "warm" reloads in one context (scripts cached, as for a returning
// user). The time is read in the page: performance.now() (0 = navigation start) at the first
// animation frame after an element `.todos .todo-title` is in the document.
import { createRequire } from "node:module";
import os from "node:os";
import { startStack, stopStack } from "../services/frontend/e2e/stack.mjs";
import { buildStandalone, FRONTEND, startStandalone, waitFor200 } from "../services/frontend/e2e/standalone.mjs";

const { chromium } = createRequire(`${FRONTEND}/package.json`)("playwright-core");

const RUNS = Number(process.env.RUNS || 20);
const TODOS = Number(process.env.TODOS || 20);
const PASSWORD = "correct horse battery";

// Runs before any of the page's own scripts, in every document of the context.
function watchFirstTodo() {
  new MutationObserver((_, observer) => {
    if (!document.querySelector(".todos .todo-title")) return;
    observer.disconnect();
    const inDom = performance.now();
    requestAnimationFrame(() => {
      window.__firstTodo = { inDom, frame: performance.now() };
    });
  }).observe(document, { childList: true, subtree: true });
}

async function backendCall(base, path, { token, json } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method: "POST", headers, body: JSON.stringify(json) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One user with TODOS todos (mixed priorities and due dates); returns the session token. */
async function seedUser(backend) {
  const email = `bench-${Date.now().toString(36)}@example.com`;
  await backendCall(backend, "/api/v1/auth/register", { json: { email, password: PASSWORD } });
  const { access_token: token } = await backendCall(backend, "/api/v1/auth/login", { json: { email, password: PASSWORD } });
  const priorities = ["high", "medium", "low"];
  for (let i = 0; i < TODOS; i++) {
    const due = i % 2 ? new Date(Date.now() + (i - 10) * 86_400_000).toISOString().slice(0, 10) : null;
    await backendCall(backend, "/api/v1/todos", {
      token,
      json: { title: `Bench todo ${i + 1}`, priority: priorities[i % 3], due_date: due, description: i % 4 ? null : "some notes" },
    });
  }
  return token;
}

const failures = [];

async function measure(page, url) {
  await page.goto(url, { waitUntil: "commit" });
  try {
    await page.waitForFunction(() => window.__firstTodo, null, { timeout: 30_000, polling: 20 });
  } catch {
    // What the user was looking at instead (an error in the list, the login screen...).
    const shown = await page
      .evaluate(() => `${location.pathname}: ${document.querySelector("[role=alert], .state")?.textContent ?? document.title}`)
      .catch((err) => String(err));
    throw new Error(`no todo on screen within 30 s (${shown})`);
  }
  const result = await page.evaluate(() => window.__firstTodo);
  const shown = await page.locator(".todos .todo-title").count();
  if (shown !== TODOS) throw new Error(`expected ${TODOS} todos on the page, saw ${shown}`);
  return result;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
function summary(label, xs) {
  if (xs.length === 0) return `${label.padEnd(34)} no run showed a todo`;
  const s = [...xs].sort((a, b) => a - b);
  const f = (n) => n.toFixed(0).padStart(5);
  return `${label.padEnd(34)} median ${f(pct(s, 50))}  p90 ${f(pct(s, 90))}  min ${f(s[0])}  max ${f(s.at(-1))}`;
}

let stack;
let frontend;
let browser;
try {
  const [services] = await Promise.all([startStack(), Promise.resolve(buildStandalone())]);
  stack = services;
  frontend = await startStandalone({ env: { BACKEND_URL: stack.backend, AI_AGENT_URL: stack.agent } });
  await waitFor200(`${frontend.url}/api/healthz`, { proc: frontend.proc });
  const token = await seedUser(stack.backend);
  const cookie = { name: "todo_session", value: token, url: frontend.url, httpOnly: true, sameSite: "Lax" };

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-GB" });
    await context.addCookies([cookie]);
    await context.addInitScript(watchFirstTodo);
    return context;
  };
  const url = `${frontend.url}/`;

  // One unmeasured visit first: the server's first render of / compiles nothing at run time,
  // but its first request still loads the page's modules.
  const warmup = await newContext();
  await measure(await warmup.newPage(), url);
  await warmup.close();

  // A run that shows no todo is counted and reported, not timed.
  const attempt = async (runs, page) => {
    try {
      runs.push(await measure(page, url));
    } catch (err) {
      failures.push(err.message);
    }
  };
  const cold = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await newContext();
    await attempt(cold, await context.newPage());
    await context.close();
  }
  const warm = [];
  const context = await newContext();
  const page = await context.newPage();
  await attempt([], page);
  for (let i = 0; i < RUNS; i++) await attempt(warm, page);
  await context.close();

  const cpu = os.cpus();
  console.log(`machine: ${cpu.length} CPUs, ${cpu[0].model}, node ${process.version}, ${browser.version()}`);
  console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`navigation to the first todo on screen, ms (${TODOS} todos, ${RUNS} runs each)`);
  console.log(summary("cold (new context): first frame", cold.map((r) => r.frame)));
  console.log(summary("cold (new context): in the DOM", cold.map((r) => r.inDom)));
  console.log(summary("warm (reload): first frame", warm.map((r) => r.frame)));
  console.log(summary("warm (reload): in the DOM", warm.map((r) => r.inDom)));
  if (failures.length) console.log(`runs with no todo on screen: ${failures.length}\n  ${[...new Set(failures)].join("\n  ")}`);
} finally {
  await browser?.close().catch(() => {});
  await frontend?.stop();
  await stopStack(stack);
}
