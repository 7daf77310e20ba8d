import type { NextRequest } from "next/server";
import { callUpstream, errorResponse, handleError, passThrough, proxy, requestId } from "@/lib/server/proxy";
import { clearSession, sessionToken } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export function GET(req: NextRequest) {
  return proxy(req, { service: "backend", path: "/api/v1/users/me" });
}

/**
 * Closes the signed-in user's account (the backend deletes the user and all their todos):
 * 204 and the session cookie expired, as on logout. No session: 401 without calling the
 * backend. A token the backend refuses: its 401 passed through and the cookie cleared; any
 * other failure passes through with the cookie kept (the account still exists).
 */
export async function DELETE(req: NextRequest) {
  const token = sessionToken(req);
  if (!token) return errorResponse(401, "not logged in");
  try {
    const upstream = await callUpstream({
      service: "backend",
      path: "/api/v1/users/me",
      method: "DELETE",
      token,
      requestId: requestId(req),
    });
    const res = await passThrough(upstream, "backend");
    if (upstream.status === 204 || upstream.status === 401) clearSession(res, req);
    return res;
  } catch (err) {
    return handleError(err);
  }
}
