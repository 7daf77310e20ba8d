// Starts e2e/stack.py (PostgreSQL, the backend and the agent on loopback) for the browser test
// and the benchmarks, and stops it again. Shared so both run the services the same way.
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { FRONTEND, stopProcess } from "./standalone.mjs";

/**
 * Resolves with `{ proc, backend, agent, database, logs }` once backend and agent are healthy.
 * TODO_PYTHON: an interpreter with both services' requirements (default python3).
 */
export function startStack({ logDir } = {}) {
  const python = process.env.TODO_PYTHON || "python3";
  const proc = spawn(python, [path.join(FRONTEND, "e2e", "stack.py")], {
    cwd: FRONTEND,
    env: { ...process.env, ...(logDir ? { E2E_LOG_DIR: logDir } : {}) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("backend/agent did not start within 120 s")), 120_000);
    proc.once("exit", (code) => reject(new Error(`stack.py exited with ${code} before the services were up`)));
    readline.createInterface({ input: proc.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolve({ proc, ...JSON.parse(line) });
    });
  });
}

/** Closes stack.py's stdin (it then stops the services and the database), bounded in time. */
export async function stopStack(stack) {
  if (!stack) return;
  stack.proc.stdin.end();
  await new Promise((r) => setTimeout(r, 100));
  await Promise.race([new Promise((r) => stack.proc.once("exit", r)), new Promise((r) => setTimeout(r, 20_000))]);
  await stopProcess(stack.proc);
}
