import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import TodoApp from "@/components/TodoApp";
import { loadFirstPage } from "@/lib/server/first-page";
import { SESSION_COOKIE, isTokenShaped } from "@/lib/server/session";

// Without a session cookie (or with one that cannot hold a token) there is nothing to show: go
// to the login screen straight away. With one, the user and the first page of todos come from
// the backend while the page renders, so the list is in the HTML.
//
// When the backend refuses the token, the page renders without them: a Server Component cannot
// expire the cookie, and /login sends anyone with a token-shaped cookie back here, so a redirect
// would loop. The browser's first API call gets the same 401, which expires the cookie and
// sends the user to log in. When the backend is unreachable or failing, the browser's own
// loading takes over too and shows the error in the list.
export default async function Home() {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!isTokenShaped(token)) redirect("/login");
  const first = await loadFirstPage(token, { headers: await headers() });
  return <TodoApp first={first.state === "ready" ? first.data : undefined} />;
}
