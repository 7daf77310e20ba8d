import { forwardedFor } from "@/lib/server/client-address";
import { callUpstream, forward, notLoggedIn, passThrough, requestId } from "@/lib/server/upstream-call";
import { apiRoute } from "@/lib/server/route";
import { clearSession, sessionToken } from "@/lib/server/session";

export const GET = apiRoute((req) => forward(req, { service: "backend", path: "/api/v1/users/me" }));

/**
 * Closes the signed-in user's account (the backend deletes the user and all their todos):
 * 204 and the session cookie expired, as on logout. No session: 401 without calling the
 * backend. A token the backend refuses: its 401 passed through and the cookie cleared; any
 * other failure passes through with the cookie kept (the account still exists).
 */
export const DELETE = apiRoute(async (req) => {
  const token = sessionToken(req);
  if (!token) return notLoggedIn(req);
  const upstream = await callUpstream({
    service: "backend",
    path: "/api/v1/users/me",
    method: "DELETE",
    token,
    requestId: requestId(req),
    forwardedFor: forwardedFor(req),
  });
  const res = await passThrough(upstream, "backend");
  if (upstream.status === 204 || upstream.status === 401) clearSession(res, req);
  return res;
});
