// Next.js Proxy (formerly Middleware): runs before every page is rendered and gives it a
// Content-Security-Policy with a fresh nonce, plus HSTS when the browser came over https.
// API routes are left out of the matcher on purpose: for a request with a body the proxy makes
// Next.js buffer the body and wait for all of it (proxyClientMaxBodySize), which would undo the
// route handlers' streaming 64 KiB limit. They set their own headers (lib/server/route.ts).
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/server/content-security-policy";
import { HSTS } from "@/lib/server/route";
import { isHttps } from "@/lib/server/session";

export function proxy(req: NextRequest) {
  const https = isHttps(req);
  const csp = contentSecurityPolicy({ nonce: newNonce(), https, development: process.env.NODE_ENV === "development" });
  // Next.js reads the nonce from the request's CSP header while rendering the page.
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  if (https) res.headers.set("strict-transport-security", HSTS);
  return res;
}

export const config = {
  matcher: [
    {
      // Everything but the API, the build's static files and the public files.
      source: "/((?!api/|api$|_next/static|_next/image|favicon.ico|robots.txt).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
