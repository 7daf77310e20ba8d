// The pages' security headers as proxy.ts sets them (the browser test checks that the pages
// still work under them in Chromium, with no violation reported).
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "@/lib/server/content-security-policy";
import { config, proxy } from "@/proxy";

function page(headers: Record<string, string> = {}) {
  return new NextRequest("http://127.0.0.1:30080/login", { headers: { host: "127.0.0.1:30080", ...headers } });
}
const directive = (csp: string, name: string) => csp.split("; ").find((d) => d.startsWith(`${name} `));

describe("Content-Security-Policy", () => {
  it("in production: scripts and styles from this origin or with the nonce only, nothing inline or eval'd", () => {
    const csp = contentSecurityPolicy({ nonce: "abc123", https: false, development: false });
    expect(directive(csp, "script-src")).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(directive(csp, "style-src")).toBe("style-src 'self' 'nonce-abc123'");
    expect(csp).not.toMatch(/unsafe-(eval|inline)/);
    for (const d of ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"]) {
      expect(csp.split("; ")).toContain(d);
    }
    expect(csp).not.toContain("upgrade-insecure-requests");
  });

  it("upgrades insecure requests only over https; development adds what React's dev tools need", () => {
    expect(contentSecurityPolicy({ nonce: "n", https: true, development: false })).toMatch(/; upgrade-insecure-requests$/);
    const dev = contentSecurityPolicy({ nonce: "n", https: false, development: true });
    expect(directive(dev, "script-src")).toContain("'unsafe-eval'");
  });

  it("proxy.ts gives every page a fresh nonce, in the answer and in the header Next renders with", () => {
    const nonces = [page(), page()].map((req) => {
      const res = proxy(req);
      const csp = res.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([A-Za-z0-9+/=]{16,})'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      // NextResponse.next({ request: { headers } }) hands the rewritten request headers on.
      expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
      expect(res.headers.get("strict-transport-security")).toBeNull();
      return nonce;
    });
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("adds HSTS when the browser came over https", () => {
    const res = proxy(page({ "x-forwarded-proto": "https" }));
    expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}$/);
    expect(res.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });

  it("runs for pages but not for the API, whose bodies it would make Next buffer", () => {
    const source = new RegExp(`^${config.matcher[0].source}$`);
    for (const path of ["/", "/login", "/signup", "/nope"]) expect(source.test(path), path).toBe(true);
    for (const path of ["/api/todos", "/api/auth/login", "/api", "/_next/static/chunks/a.js", "/robots.txt"]) {
      expect(source.test(path), path).toBe(false);
    }
  });
});
