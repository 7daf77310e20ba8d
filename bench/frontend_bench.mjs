#!/usr/bin/env node
// Frontend numbers: the standalone server's time from process start to the first 200 on
// /api/healthz (RUNS cold starts), its resident memory idle and after a bounded burst of page
// and API requests, and the image size if the image exists. Prints numbers; asserts nothing.
//
//   node bench/frontend_bench.mjs            (builds services/frontend first if needed)
//   RUNS=10 IMAGE=todo-frontend:dev node bench/frontend_bench.mjs
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import {
  buildStandalone,
  startStandalone,
  waitFor200,
} from "../services/frontend/e2e/standalone.mjs";

const RUNS = Number(process.env.RUNS || 7);
const BURST = 200; // requests after start, bounded

const rssMiB = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : NaN;
};
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
};
const fmt = (n) => n.toFixed(0);

process.env.SKIP_BUILD ??= "1"; // reuse an existing build; delete .next to force one
buildStandalone();

const ready = [];
const idle = [];
const loaded = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  // Nothing listens on port 9: the page and API requests below exercise the 502 path, which
  // still renders pages and runs the route handlers without needing a backend.
  const server = await startStandalone({ env: { BACKEND_URL: "http://127.0.0.1:9", AI_AGENT_URL: "http://127.0.0.1:9" } });
  try {
    await waitFor200(`${server.url}/api/healthz`, { timeoutMs: 30_000, intervalMs: 5, proc: server.proc });
    ready.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 500));
    idle.push(rssMiB(server.proc.pid));
    for (let j = 0; j < BURST; j++) {
      const path = ["/login", "/signup", "/api/healthz", "/api/todos"][j % 4];
      await (await fetch(server.url + path, { headers: { cookie: j % 4 === 3 ? "todo_session=x" : "" } })).arrayBuffer();
    }
    loaded.push(rssMiB(server.proc.pid));
  } finally {
    await server.stop();
  }
}

console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model}, node ${process.version}`);
const r = stats(ready);
console.log(`time to first 200 on /api/healthz (ms, ${RUNS} cold starts): min ${fmt(r.min)}  median ${fmt(r.median)}  max ${fmt(r.max)}`);
const m = stats(idle);
console.log(`RSS idle after start (MiB): min ${fmt(m.min)}  median ${fmt(m.median)}  max ${fmt(m.max)}`);
const l = stats(loaded);
console.log(`RSS after ${BURST} page/API requests (MiB): min ${fmt(l.min)}  median ${fmt(l.median)}  max ${fmt(l.max)}`);

const image = process.env.IMAGE || "todo-frontend:dev";
try {
  const size = Number(execFileSync("docker", ["image", "inspect", "--format", "{{.Size}}", image], { encoding: "utf8" }));
  console.log(`image ${image}: ${(size / 1e6).toFixed(1)} MB`);
} catch {
  console.log(`image ${image}: not present (build it to measure its size)`);
}
