// Register / log in against the backend and open the cookie session.
import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { forwardedFor } from "./client-address";
import { HttpError, callUpstream, passThrough, readBody, requestId } from "./upstream-call";
import { setSession } from "./session";

export interface Credentials {
  email: string;
  password: string;
}

/** Parses `{"email", "password"}`; anything else is a 400 with a reason (never a 500). */
export async function readCredentials(req: NextRequest): Promise<Credentials> {
  const text = await readBody(req);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, "the request body must be JSON with email and password");
  }
  const { email, password } = (data ?? {}) as Record<string, unknown>;
  if (typeof email !== "string" || typeof password !== "string") {
    throw new HttpError(400, "email and password are required");
  }
  return { email, password };
}

/**
 * Logs in upstream and answers `status` with the user and the session cookie. A refused login
 * is passed through (status and detail) as the backend gave it.
 */
export async function openSession(
  req: NextRequest,
  creds: Credentials,
  status: number,
): Promise<NextResponse> {
  const rid = requestId(req);
  const login = await callUpstream({
    service: "backend",
    path: "/api/v1/auth/login",
    method: "POST",
    json: creds,
    requestId: rid,
    forwardedFor: forwardedFor(req),
  });
  if (login.status !== 200) return passThrough(login, "backend");
  const { access_token: token, expires_in: expiresIn } = (await login.json()) as {
    access_token?: string;
    expires_in?: number;
  };
  if (!token) throw new HttpError(502, "the todo service answered a login without a token");
  const me = await callUpstream({
    service: "backend",
    path: "/api/v1/users/me",
    token,
    requestId: rid,
    forwardedFor: forwardedFor(req),
  });
  if (me.status !== 200) return passThrough(me, "backend");
  const res = NextResponse.json(await me.json(), { status });
  setSession(res, req, token, expiresIn ?? 3600);
  return res;
}
