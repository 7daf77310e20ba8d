// Checks that have to run on Node's own request, before Next.js turns it into a fetch Request:
//
// - Methods: a method a path does not answer gets 405 with `Allow` (lib/server/methods.ts),
//   OPTIONS gets 204 with `Allow`. TRACE and TRACK cannot reach a route handler at all (undici
//   refuses to build a Request with them, and Next answered that with a 500), and a page would
//   otherwise render for DELETE or PROPFIND as for GET.
// - The client's address: `X-Forwarded-For` gets the socket's remote address appended
//   (client-address.ts). A route handler only sees headers, and Next keeps a client's own
//   X-Forwarded-For as it is, so without this the backend's per-address limit would count
//   whatever address the client wrote.
//
// - A graceful close after an answer that leaves the body unread (413 past the size limit, 405
//   for a method that carries one, both with `Connection: close`): see lingerBeforeClose.
//
// installHttpGuard() runs once per process (instrumentation.ts) and subscribes to Node's
// `http.server.request.start` diagnostics channel, which Node publishes for every request before
// it emits the server's 'request' event (lib/_http_server.js, parserOnIncoming). The first time
// a server shows up there, its 'request' listeners (Next's) are put behind the method check.
import "server-only";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { withPeerAddress } from "./client-address";
import { API_CSP } from "./content-security-policy";
import { allowedMethods } from "./methods";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const guarded = new WeakSet<Server>();
let installed = false;

function pathnameOf(url: string | undefined): string {
  const { pathname } = new URL(url || "/", "http://localhost");
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, detail: string | null, allow?: string[]) {
  const headers: Record<string, string> = {
    "cache-control": "no-store",
    "content-security-policy": API_CSP,
    "x-content-type-options": "nosniff",
  };
  if (allow) headers.allow = allow.join(", ");
  // A body nobody will read: close instead of reading it to keep the connection.
  if (hasBody(req)) headers.connection = "close";
  const body = detail === null ? "" : JSON.stringify({ detail });
  if (body) headers["content-type"] = "application/json";
  res.writeHead(status, headers).end(body);
}

/** Answers the request here if its method is not one its path takes; true when it did. */
export function refuseMethod(req: IncomingMessage, res: ServerResponse): boolean {
  const method = (req.method ?? "GET").toUpperCase();
  const allowed = allowedMethods(pathnameOf(req.url));
  if (allowed === null) {
    // Next's to answer (an unknown /api path: 404), except for the methods it cannot take at all.
    if (method !== "TRACE" && method !== "TRACK") return false;
    answer(req, res, 404, "no such route");
    return true;
  }
  if (method === "OPTIONS") {
    answer(req, res, 204, null, allowed);
    return true;
  }
  if (allowed.includes(method)) return false;
  answer(req, res, 405, `${method} is not allowed here; this path answers ${allowed.join(", ")}`, allowed);
  return true;
}

function guardServer(server: Server): void {
  guarded.add(server);
  const listeners = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (refuseMethod(req, res)) return;
    for (const listener of listeners) listener.call(server, req, res);
  });
}

function onRequestStart(message: unknown): void {
  const { request, server } = message as { request: IncomingMessage; server: Server };
  const claimed = request.headers["x-forwarded-for"] as string | undefined;
  const chain = withPeerAddress(claimed, request.socket?.remoteAddress);
  if (chain) request.headers["x-forwarded-for"] = chain;
  else delete request.headers["x-forwarded-for"];
  if (!guarded.has(server)) guardServer(server);
}

/**
 * How long, and for how many more bytes, a connection closed on an unread body is drained. The
 * time is the real bound (nginx's lingering_timeout is 5 s too): on loopback or through a port
 * proxy tens of MiB can be on the way before the client has read the answer, so a small byte
 * cap would reset it again. Dropped bytes cost no memory, only the reading.
 */
export const LINGER = { ms: 5_000, bytes: 256 * 1024 * 1024 };

/**
 * When an answer goes out before its request's body was read to the end and the connection is
 * to close, Node ends the socket and destroys it as soon as the answer is written
 * (lib/_http_server.js resOnFinish: `socket.destroySoon()`, net.js: end, then destroy on
 * 'finish'). Closing a socket with unread bytes in its receive buffer makes the kernel send RST,
 * and a client still sending can get that reset before it has read the answer: through a
 * userland proxy such as Docker's port publishing (docker-proxy) almost always, because the
 * reset reaches the proxy before it has forwarded the answer. So, as HTTP servers do (nginx's
 * lingering_close), the socket sends its FIN after the answer and reads and discards what still
 * arrives until the client closes, for at most LINGER.ms and LINGER.bytes, then closes.
 *
 * Called from Node's `http.server.response.finish` diagnostics channel, which resOnFinish
 * publishes just before it calls destroySoon.
 */
export function lingerBeforeClose(request: IncomingMessage, socket: Socket, limits = LINGER): void {
  // Decided again for every answer on the socket: a kept-alive one read its body to the end.
  if (request.complete) {
    Reflect.deleteProperty(socket, "destroySoon");
    return;
  }
  socket.destroySoon = function destroySoon(this: Socket) {
    this.end();
    let drained = 0;
    const close = () => void (this.destroyed || this.destroy());
    const timer = setTimeout(close, limits.ms);
    timer.unref();
    this.once("close", () => clearTimeout(timer));
    // The body no longer belongs to anyone (the answer is out): the route's reader, if any,
    // is cut off so nothing is buffered, and what arrives is only counted.
    request.removeAllListeners("readable");
    request.removeAllListeners("data");
    request.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > limits.bytes) close();
    });
    request.once("end", close);
    request.resume();
  };
}

function onResponseFinish(message: unknown): void {
  const { request, socket } = message as { request: IncomingMessage; socket: Socket | null };
  if (socket && !socket.destroyed) lingerBeforeClose(request, socket);
}

export function installHttpGuard(): void {
  if (installed) return;
  installed = true;
  subscribe("http.server.request.start", onRequestStart);
  subscribe("http.server.response.finish", onResponseFinish);
}
