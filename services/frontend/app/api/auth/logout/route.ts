import { NextResponse, type NextRequest } from "next/server";
import { clearSession } from "@/lib/server/session";

export const dynamic = "force-dynamic";

/** JWTs are stateless upstream: logging out means forgetting the cookie. */
export function POST(req: NextRequest) {
  const res = new NextResponse(null, { status: 204 });
  clearSession(res, req);
  return res;
}
