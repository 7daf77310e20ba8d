import type { NextRequest } from "next/server";
import { openSession, readCredentials } from "@/lib/server/auth";
import { handleError } from "@/lib/server/proxy";

export const dynamic = "force-dynamic";

export async function POST(req: NextRequest) {
  try {
    return await openSession(req, await readCredentials(req), 200);
  } catch (err) {
    return handleError(err);
  }
}
