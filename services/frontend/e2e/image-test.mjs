// One built image, two containers, two backends: proves BACKEND_URL is read at run time, not
// baked in at build time. Also runs the containers the way the chart does (read-only root
// filesystem with tmpfs at /tmp and /app/.next/cache, no capabilities, uid 10001) and waits for
// Docker's HEALTHCHECK to report healthy.
//
//   npm run test:image                      builds FROM $TODO_NODE_IMAGE (default node:24-slim)
//   TODO_NODE_IMAGE=todo-ci/node:20-trixie npm run test:image   (the local base, where no registry is)
//   IMAGE=todo-frontend:abc npm run test:image   tests an image that is already built
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import http from "node:http";
import { after, before, test } from "node:test";
import { FRONTEND, freePort, waitFor200 } from "./standalone.mjs";

const image = process.env.IMAGE || `todo-frontend:image-test-${process.pid}`;
const built = !process.env.IMAGE;
const containers = [];
const backends = [];

const docker = (...args) => execFileSync("docker", args, { encoding: "utf8" }).trim();

/** A tiny real HTTP server standing in for one backend: /users/me answers its own email. */
function fakeBackend(email) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    if (req.url === "/api/v1/users/me" && req.headers.authorization === "Bearer token-for-test") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: 1, email, created_at: "2026-11-28T00:00:00Z" }));
    } else {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: "Not authenticated" }));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, seen, email, url: `http://127.0.0.1:${server.address().port}` })),
  );
}

async function runContainer(backendUrl) {
  const port = await freePort();
  const id = docker(
    "run", "-d", "--network", "host",
    // Docker mounts a tmpfs root-owned 0755 (Kubernetes' emptyDir is world-writable), so the
    // cache mount names the app's uid; /tmp gets Docker's sticky 1777 on its own.
    "--read-only", "--tmpfs", "/tmp", "--tmpfs", "/app/.next/cache:uid=10001,gid=10001",
    "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
    "-e", `PORT=${port}`, "-e", "HOSTNAME=127.0.0.1",
    "-e", `BACKEND_URL=${backendUrl}`, "-e", "AI_AGENT_URL=http://127.0.0.1:9",
    image,
  );
  containers.push(id);
  return { id, url: `http://127.0.0.1:${port}` };
}

async function waitHealthy(id, timeoutMs = 60_000) {
  const start = Date.now();
  let status = "";
  while (Date.now() - start < timeoutMs) {
    status = docker("inspect", "--format", "{{.State.Health.Status}}", id);
    if (status === "healthy") return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`container ${id.slice(0, 12)} not healthy after ${timeoutMs} ms (last: ${status})`);
}

before(async () => {
  if (built) {
    // The Makefile passes the local CI stand-in when present (no registry on CI machines).
    const nodeImage = process.env.TODO_NODE_IMAGE || "node:24-slim";
    const r = spawnSync(
      "docker",
      ["buildx", "build", "--load", "--build-arg", `NODE_IMAGE=${nodeImage}`, "-t", image, "."],
      { cwd: FRONTEND, stdio: ["ignore", "inherit", "inherit"] },
    );
    assert.equal(r.status, 0, "docker build failed");
  }
  backends.push(await fakeBackend("first@backend-a.test"), await fakeBackend("second@backend-b.test"));
});

after(async () => {
  for (const id of containers) {
    if (process.exitCode) console.log(spawnSync("docker", ["logs", id], { encoding: "utf8" }).stdout);
    spawnSync("docker", ["rm", "-f", id]);
  }
  if (built) spawnSync("docker", ["rmi", "-f", image]);
  await Promise.all(backends.map((b) => new Promise((r) => b.server.close(r))));
});

test("the same image reaches whichever backend BACKEND_URL names", async () => {
  const [a, b] = [await runContainer(backends[0].url), await runContainer(backends[1].url)];
  for (const c of [a, b]) await waitFor200(`${c.url}/api/healthz`, { timeoutMs: 30_000 });

  for (const [container, backend] of [[a, backends[0]], [b, backends[1]]]) {
    const res = await fetch(`${container.url}/api/auth/me`, { headers: { cookie: "todo_session=token-for-test" } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).email, backend.email);
    assert.deepEqual(backend.seen.at(-1), { url: "/api/v1/users/me", authorization: "Bearer token-for-test" });
  }
  // Each backend was asked only by its own container.
  assert.equal(backends[0].seen.length, 1);
  assert.equal(backends[1].seen.length, 1);

  // An unreachable agent gives the readable 502 from inside the container too.
  const chat = await fetch(`${a.url}/api/chat`, {
    method: "POST",
    headers: { cookie: "todo_session=token-for-test", "content-type": "application/json" },
    body: JSON.stringify({ message: "hi" }),
  });
  assert.equal(chat.status, 502);
  assert.deepEqual(await chat.json(), { detail: "the chat agent is unreachable" });
});

test("the containers run as uid 10001 on a read-only root filesystem and report healthy", async () => {
  for (const id of containers) {
    assert.equal(docker("exec", id, "id", "-u"), "10001");
    const write = spawnSync("docker", ["exec", id, "node", "-e", "require('fs').writeFileSync('/app/x','x')"]);
    assert.notEqual(write.status, 0, "the app directory must not be writable");
    for (const dir of ["/tmp", "/app/.next/cache"]) {
      const ok = spawnSync("docker", ["exec", id, "node", "-e", `require('fs').writeFileSync('${dir}/probe','x')`]);
      assert.equal(ok.status, 0, `${dir} must stay writable for Next`);
    }
    await waitHealthy(id);
  }
});
