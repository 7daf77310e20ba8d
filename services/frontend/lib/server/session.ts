// The session cookie: the backend JWT, httpOnly so client JavaScript never sees it.
import type { NextRequest, NextResponse } from "next/server";

export const SESSION_COOKIE = "todo_session";

/** True when the browser reached us over https (directly or through a TLS-terminating proxy). */
export function isHttps(req: NextRequest): boolean {
  const forwarded = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  if (forwarded) return forwarded === "https";
  return req.nextUrl.protocol === "https:";
}

export function sessionToken(req: NextRequest): string | undefined {
  return req.cookies.get(SESSION_COOKIE)?.value || undefined;
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
