// What a state-changing request must look like before any route handler acts on it: sent by
// this app's own pages (or by a client that is not a browser), and JSON where it has a body.
// Cookies are SameSite=Lax, which a page on another port of the same host (another NodePort on
// the Minikube IP is "same site") or a top-level cross-site form POST can still ride on.
import "server-only";
import type { NextRequest } from "next/server";
import { isHttps } from "./session";
import { HttpError } from "./upstream-call";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The origin the browser addressed: the `Host` header it sent, with the scheme it used
 * (`X-Forwarded-Proto` from a TLS-terminating proxy, else the connection's). Derived per
 * request, so every URL the app is reached at (127.0.0.1:30080, the node IP, an ingress host)
 * is its own origin there. `X-Forwarded-Host` is not read: ingress controllers, NodePorts and
 * port-forwards pass the browser's Host through unchanged.
 */
export function ownOrigin(req: NextRequest): string | null {
  const host = req.headers.get("host");
  if (!host) return null;
  try {
    return new URL(`${isHttps(req) ? "https" : "http"}://${host}`).origin;
  } catch {
    return null;
  }
}

function sameOrigin(origin: string, own: string | null): boolean {
  if (!own || origin === "null") return false;
  try {
    return new URL(origin).origin === own;
  } catch {
    return false;
  }
}

/**
 * 403 for a state-changing request a browser sent from another origin: `Origin` present and not
 * ours, or (no `Origin`) `Sec-Fetch-Site` other than same-origin / none. A request with neither
 * header is not from a browser page (curl, Ansible's uri) and passes.
 */
export function checkSameOrigin(req: NextRequest): void {
  if (SAFE.has(req.method.toUpperCase())) return;
  const origin = req.headers.get("origin");
  if (origin !== null) {
    if (!sameOrigin(origin, ownOrigin(req))) throw new HttpError(403, "cross-origin request refused");
    return;
  }
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    throw new HttpError(403, "cross-site request refused");
  }
}

function isJson(contentType: string | null): boolean {
  return contentType?.split(";")[0].trim().toLowerCase() === "application/json";
}

/**
 * 415 unless the body is declared JSON: required where the route reads a body, and wherever a
 * `Content-Type` is sent at all (a form's text/plain or urlencoded body is never accepted).
 */
export function checkJsonBody(req: NextRequest, bodyExpected: boolean): void {
  if (SAFE.has(req.method.toUpperCase())) return;
  const type = req.headers.get("content-type");
  if (isJson(type) || (type === null && !bodyExpected)) return;
  throw new HttpError(415, "the request body must be JSON (Content-Type: application/json)");
}
