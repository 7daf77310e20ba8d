// Shared by the browser test and the benchmark: build the app and run Next's standalone
// server the way the image does (server.js with .next/static and public next to it).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STANDALONE = path.join(FRONTEND, ".next", "standalone");

/** `next build` (unless SKIP_BUILD=1 and a build exists), then the static files put in place. */
export function buildStandalone() {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  if (!(process.env.SKIP_BUILD === "1" && existsSync(path.join(STANDALONE, "server.js")))) {
    const r = spawnSync(process.execPath, [path.join(FRONTEND, "node_modules/next/dist/bin/next"), "build"], {
      cwd: FRONTEND,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new Error(`next build failed (${r.status})`);
  }
  copyStaticAssets();
  return STANDALONE;
}

/** Puts .next/static and public next to server.js, as the Dockerfile does (npm's postbuild). */
export function copyStaticAssets() {
  for (const [from, to] of [
    [path.join(FRONTEND, ".next", "static"), path.join(STANDALONE, ".next", "static")],
    [path.join(FRONTEND, "public"), path.join(STANDALONE, "public")],
  ]) {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls url until it answers 200; bounded by timeoutMs. Returns ms waited. */
export async function waitFor200(url, { timeoutMs = 30_000, intervalMs = 25, proc } = {}) {
  const start = performance.now();
  let last = "no answer";
  while (performance.now() - start < timeoutMs) {
    if (proc && proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return performance.now() - start;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err?.cause?.code ?? err);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms: ${last}`);
}

/** Starts server.js on a free loopback port with the given upstream URLs. */
export async function startStandalone({ env = {}, port } = {}) {
  port ??= await freePort();
  const proc = spawn(process.execPath, [path.join(STANDALONE, "server.js")], {
    cwd: STANDALONE,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  return { proc, url, output: () => output, stop: () => stopProcess(proc) };
}

export function stopProcess(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}
