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
// installHttpGuard() runs once per process (instrumentation.ts) and subscribes to Node's
// `http.server.request.start` diagnostics channel, which Node publishes for every request before
// it emits the server's 'request' event (lib/_http_server.js, parserOnIncoming). The first time
// a server shows up there, its 'request' listeners (Next's) are put behind the method check.
import "server-only";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
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

export function installHttpGuard(): void {
  if (installed) return;
  installed = true;
  subscribe("http.server.request.start", onRequestStart);
}
