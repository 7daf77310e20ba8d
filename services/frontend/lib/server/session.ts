// The session cookie: the backend JWT, httpOnly so client JavaScript never sees it.
import "server-only";
import type { NextRequest, NextResponse } from "next/server";

export const SESSION_COOKIE = "todo_session";

/** True when the browser reached us over https (directly or through a TLS-terminating proxy). */
export function isHttps(req: NextRequest): boolean {
  const forwarded = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  if (forwarded) return forwarded === "https";
  return req.nextUrl.protocol === "https:";
}

/**
 * What a backend token looks like: a JWT, i.e. base64url segments joined by dots. Anything else
 * in the cookie (a control character, a non-ASCII character, a stray space) cannot be one and
 * cannot be put in an Authorization header: it counts as no session.
 */
const TOKEN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){0,4}$/;
const MAX_TOKEN_LENGTH = 4096;

export function isTokenShaped(value: string | undefined): value is string {
  return !!value && value.length <= MAX_TOKEN_LENGTH && TOKEN.test(value);
}

/** The session's token, or undefined when there is no cookie or it cannot be a token. */
export function sessionToken(req: NextRequest): string | undefined {
  const value = req.cookies.get(SESSION_COOKIE)?.value;
  return isTokenShaped(value) ? value : undefined;
}

/** A cookie is there but holds no usable token: the answer should expire it. */
export function hasBrokenSession(req: NextRequest): boolean {
  return req.cookies.has(SESSION_COOKIE) && !sessionToken(req);
}

export function setSession(
  res: NextResponse,
  req: NextRequest,
  token: string,
  maxAgeSeconds: number,
): void {
  res.cookies.set({
    name: SESSION_COOKIE,
    value: token,
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(req),
    path: "/",
    maxAge: Math.max(1, Math.floor(maxAgeSeconds)),
  });
}

export function clearSession(res: NextResponse, req: NextRequest): void {
  res.cookies.set({
    name: SESSION_COOKIE,
    value: "",
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(req),
    path: "/",
    maxAge: 0,
  });
}
