// The one way route handlers talk to the backend and the agent: builds the upstream request
// (bearer from the session cookie, request id, nothing else from the browser), passes status and
// body back unchanged, and turns network failures into readable 502/504 answers.
import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { forwardedFor, type HasHeaders } from "./client-address";
import { clearSession, hasBrokenSession, sessionToken } from "./session";
import { MissingConfigError, SERVICES, serviceUrl, type Service } from "./upstream";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export function errorResponse(status: number, detail: string): NextResponse {
  return NextResponse.json({ detail }, { status });
}

export function requestId(req: HasHeaders): string {
  const given = req.headers.get("x-request-id");
  // Accept a caller's id only if it is short and printable; it ends up in upstream logs.
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

export interface UpstreamCall {
  service: Service;
  path: string;
  method?: string;
  search?: string;
  /** A JSON value (serialised here) or raw text forwarded as is. */
  json?: unknown;
  rawBody?: string;
  contentType?: string | null;
  token?: string;
  requestId: string;
  /** The browser's address chain (X-Forwarded-For), for the upstream's per-client limits. */
  forwardedFor?: string;
  /** Overrides the service's timeout (e.g. a logout that must not keep the user waiting). */
  timeoutMs?: number;
}

/** Sends one request upstream. Network failures and timeouts become HttpError (502/504). */
export async function callUpstream(call: UpstreamCall): Promise<Response> {
  const info = SERVICES[call.service];
  let url: URL;
  try {
    url = serviceUrl(call.service, call.path, call.search);
  } catch (err) {
    if (err instanceof MissingConfigError) throw new HttpError(500, err.message);
    throw new HttpError(500, `${info.envVar} is not a valid URL`);
  }
  const headers = new Headers({ accept: "application/json", "x-request-id": call.requestId });
  if (call.token) headers.set("authorization", `Bearer ${call.token}`);
  if (call.forwardedFor) headers.set("x-forwarded-for", call.forwardedFor);
  let body: string | undefined;
  if (call.json !== undefined) {
    body = JSON.stringify(call.json);
    headers.set("content-type", "application/json");
  } else if (call.rawBody !== undefined && call.rawBody !== "") {
    body = call.rawBody;
    headers.set("content-type", call.contentType || "application/json");
  }
  try {
    return await fetch(url, {
      method: call.method ?? "GET",
      headers,
      body,
      cache: "no-store",
      redirect: "manual",
      signal: AbortSignal.timeout(call.timeoutMs ?? info.timeoutMs),
    });
  } catch (err) {
    if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
      throw new HttpError(504, `${info.name} did not answer in time`);
    }
    throw new HttpError(502, `${info.name} is unreachable`);
  }
}

/** Turns an upstream answer into ours: same status, same JSON body, same request id. */
export async function passThrough(res: Response, service: Service): Promise<NextResponse> {
  const headers = new Headers();
  const rid = res.headers.get("x-request-id");
  if (rid) headers.set("x-request-id", rid);
  if (res.status === 204 || res.status === 304) {
    return new NextResponse(null, { status: res.status, headers });
  }
  const text = await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  if (!isJson && res.status >= 400) {
    // e.g. an HTML error page from something in between: give the browser a readable detail.
    return NextResponse.json(
      { detail: `${SERVICES[service].name} answered ${res.status}` },
      { status: res.status, headers },
    );
  }
  headers.set("content-type", res.headers.get("content-type") ?? "application/json");
  return new NextResponse(text, { status: res.status, headers });
}

/** Far above any valid todo or chat message (2000 characters); refuses before buffering more. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The request body as text, read as it streams in and counted: past MAX_BODY_BYTES reading
 * stops and 413 is thrown, so neither a declared nor a chunked (undeclared) length makes the
 * server buffer more than the limit, and the 413 goes out without waiting for the rest.
 */
export async function readBody(req: NextRequest): Promise<string> {
  const tooLarge = new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
  if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw tooLarge;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      // Stop reading, but do not cancel: cancelling destroys the socket before the 413 is sent.
      // The 413 says `Connection: close` (handleError): the connection ends after it, once
      // what is already on the way has been dropped (http-guard.ts lingerBeforeClose).
      reader.releaseLock();
      throw tooLarge;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface ForwardOptions {
  service: Service;
  /** Upstream path, e.g. "/api/v1/todos/3". */
  path: string;
}

/**
 * Forwards the browser's request (method, query string, body) upstream with the session's
 * token as bearer. No session: 401 without calling upstream. Upstream 401: the stale cookie
 * is cleared so the browser goes back to the login screen.
 */
export async function forward(req: NextRequest, opts: ForwardOptions): Promise<NextResponse> {
  const token = sessionToken(req);
  if (!token) return notLoggedIn(req);
  const method = req.method.toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD";
  try {
    const body = hasBody ? await readBody(req) : undefined;
    const upstream = await callUpstream({
      service: opts.service,
      path: opts.path,
      method,
      search: req.nextUrl.search,
      rawBody: body,
      contentType: req.headers.get("content-type"),
      token,
      requestId: requestId(req),
      forwardedFor: forwardedFor(req),
    });
    const res = await passThrough(upstream, opts.service);
    if (upstream.status === 401) clearSession(res, req);
    return res;
  } catch (err) {
    return handleError(err);
  }
}

/** 401 without a usable session; a cookie that cannot hold a token is expired with it. */
export function notLoggedIn(req: NextRequest): NextResponse {
  const res = errorResponse(401, "not logged in");
  if (hasBrokenSession(req)) clearSession(res, req);
  return res;
}

/**
 * Anything unexpected is a 500 with a generic detail. The log names the error's class only:
 * messages of errors thrown while building a request can quote header values (a token).
 */
export function handleError(err: unknown): NextResponse {
  if (err instanceof HttpError) {
    const res = errorResponse(err.status, err.detail);
    // A body refused half-way: closing the connection is the only way not to read all the rest.
    if (err.status === 413) res.headers.set("connection", "close");
    return res;
  }
  const kind = err instanceof Error ? err.name : typeof err;
  console.error(JSON.stringify({ level: "error", msg: "route handler failed", error: kind }));
  return errorResponse(500, "the frontend server failed to handle the request");
}
