import type { NextRequest } from "next/server";
import { openSession, readCredentials } from "@/lib/server/auth";
import { callUpstream, handleError, passThrough, requestId } from "@/lib/server/proxy";

export const dynamic = "force-dynamic";

/** Creates the account, then logs straight in: 201 User + session cookie. */
export async function POST(req: NextRequest) {
  try {
    const creds = await readCredentials(req);
    const created = await callUpstream({
      service: "backend",
      path: "/api/v1/auth/register",
      method: "POST",
      json: creds,
      requestId: requestId(req),
    });
    if (created.status !== 201) return passThrough(created, "backend");
    return await openSession(req, creds, 201);
  } catch (err) {
    return handleError(err);
  }
}
