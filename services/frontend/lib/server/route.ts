// Every API route handler is wrapped in apiRoute(): the same-origin and JSON checks come before
// the handler runs, failures become readable answers, and no answer may be cached (they carry a
// user's data, or say who is logged in). HSTS over https, as on the pages.
import "server-only";
import type { NextRequest } from "next/server";
import { API_CSP } from "./content-security-policy";
import { handleError } from "./upstream-call";
import { checkJsonBody, checkSameOrigin } from "./request-policy";
import { isHttps } from "./session";

export const HSTS = "max-age=31536000";

export interface ApiRouteOptions {
  /** Whether this request must carry a JSON body (login, a new todo...); default: none expected. */
  body?: boolean | ((req: NextRequest) => boolean);
}

export function apiRoute<Rest extends unknown[]>(
  handler: (req: NextRequest, ...rest: Rest) => Response | Promise<Response>,
  opts: ApiRouteOptions = {},
): (req: NextRequest, ...rest: Rest) => Promise<Response> {
  return async (req, ...rest) => {
    let res: Response;
    try {
      checkSameOrigin(req);
      checkJsonBody(req, typeof opts.body === "function" ? opts.body(req) : !!opts.body);
      res = await handler(req, ...rest);
    } catch (err) {
      res = handleError(err);
    }
    res.headers.set("cache-control", "no-store");
    res.headers.set("content-security-policy", API_CSP);
    if (isHttps(req)) res.headers.set("strict-transport-security", HSTS);
    return res;
  };
}
