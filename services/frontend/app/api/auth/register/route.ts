import { openSession, readCredentials } from "@/lib/server/auth";
import { forwardedFor } from "@/lib/server/client-address";
import { callUpstream, passThrough, requestId } from "@/lib/server/upstream-call";
import { apiRoute } from "@/lib/server/route";

/** Creates the account, then logs straight in: 201 User + session cookie. */
export const POST = apiRoute(
  async (req) => {
    const creds = await readCredentials(req);
    const created = await callUpstream({
      service: "backend",
      path: "/api/v1/auth/register",
      method: "POST",
      json: creds,
      requestId: requestId(req),
      forwardedFor: forwardedFor(req),
    });
    if (created.status !== 201) return passThrough(created, "backend");
    return openSession(req, creds, 201);
  },
  { body: true },
);
