// The browser's address, passed upstream for per-client limits (the backend's login throttle).
// `X-Forwarded-For` as the Node-level guard (http-guard.ts) leaves it on every request: whatever
// the client or a proxy in front claimed, then the remote address of the socket this server
// accepted, always last. A client can add entries of its own but never remove or replace that
// last one, so an upstream that counts by the last entry counts by an address nobody can choose.
import "server-only";

/** One address as it appears in the header: IPv4, IPv6 (maybe with a zone), or a name. */
const ENTRY = /^[0-9A-Za-z.:%_[\]-]{1,64}$/;
/** Claims longer than this are dropped, not forwarded (the socket's address still is). */
const MAX_CLAIMED = 512;

function entries(value: string): string[] | null {
  const list = value.split(",").map((e) => e.trim());
  return list.every((e) => ENTRY.test(e)) ? list : null;
}

/** Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; upstream logs want a.b.c.d. */
function plainAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}

/**
 * The header value to hand on: the claimed chain (kept only if it is a well-formed, short list
 * of addresses) with the socket's peer address appended. No peer address (the socket is already
 * gone): the claim alone is worthless, so nothing.
 */
export function withPeerAddress(claimed: string | undefined, peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const last = plainAddress(peer);
  if (!ENTRY.test(last)) return undefined;
  const chain = claimed && claimed.length <= MAX_CLAIMED ? entries(claimed) : null;
  return [...(chain ?? []), last].join(", ");
}

/** A route handler's request, or a page's `{ headers: await headers() }`. */
export interface HasHeaders {
  headers: Pick<Headers, "get">;
}

/** What route handlers and pages forward upstream as `X-Forwarded-For` (undefined: send none). */
export function forwardedFor(req: HasHeaders): string | undefined {
  const value = req.headers.get("x-forwarded-for")?.trim();
  return value && value.length <= MAX_CLAIMED + 66 && entries(value) ? value : undefined;
}
