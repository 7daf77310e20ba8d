// The pages' Content-Security-Policy (set per request by proxy.ts, the way Next.js documents for
// nonces: node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md). Scripts run
// only from this origin or with this response's nonce, which Next.js puts on its own inline
// scripts while rendering; 'strict-dynamic' lets those load the page's chunks. No 'unsafe-eval'
// and no 'unsafe-inline' in production (development needs both for React's debugging tools).
import "server-only";

export interface CspOptions {
  nonce: string;
  /** Served over https: insecure subresource URLs get upgraded. */
  https: boolean;
  development: boolean;
}

export function contentSecurityPolicy({ nonce, https, development }: CspOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${development ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // Over plain http (127.0.0.1:30080, the node IP) upgrading would break every request.
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** For the API's JSON answers, which a browser may open as a document (a form's POST lands on one). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** A fresh, unguessable nonce for one response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}
