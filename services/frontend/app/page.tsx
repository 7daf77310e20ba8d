import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import TodoApp from "@/components/TodoApp";
import { SESSION_COOKIE, isTokenShaped } from "@/lib/server/session";

// Without a session cookie (or with one that cannot hold a token) there is nothing to show: go to
// the login screen straight away (a stale cookie is caught by the first API call, which sends the
// user back to log in).
export default async function Home() {
  if (!isTokenShaped((await cookies()).get(SESSION_COOKIE)?.value)) redirect("/login");
  return <TodoApp />;
}
