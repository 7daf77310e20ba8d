import { NextResponse } from "next/server";
import { forwardedFor } from "@/lib/server/client-address";
import { HttpError, callUpstream, requestId } from "@/lib/server/upstream-call";
import { apiRoute } from "@/lib/server/route";
import { clearSession, sessionToken } from "@/lib/server/session";

/** Logging out must not keep the user waiting on a backend that hangs. */
const LOGOUT_TIMEOUT_MS = 5_000;

function warn(detail: string, status: number) {
  console.warn(JSON.stringify({ level: "warning", msg: "the backend did not end the session", detail, status }));
}

/**
 * Ends the session on the backend (`POST /api/v1/auth/logout` with the cookie's token, so the
 * token stops working everywhere), then expires the cookie. The cookie is expired whatever the
 * backend answers, even when it is down: the browser is logged out either way.
 */
export const POST = apiRoute(async (req) => {
  const token = sessionToken(req);
  if (token) {
    try {
      const upstream = await callUpstream({
        service: "backend",
        path: "/api/v1/auth/logout",
        method: "POST",
        token,
        requestId: requestId(req),
        forwardedFor: forwardedFor(req),
        timeoutMs: LOGOUT_TIMEOUT_MS,
      });
      await upstream.body?.cancel();
      // 401: the token was already invalid, so there is nothing left to end.
      if (!upstream.ok && upstream.status !== 401) {
        warn(`the todo service answered ${upstream.status}`, upstream.status);
      }
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      warn(err.detail, err.status);
    }
  }
  const res = new NextResponse(null, { status: 204 });
  clearSession(res, req);
  return res;
});
