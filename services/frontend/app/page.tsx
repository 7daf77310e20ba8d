import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import TodoApp from "@/components/TodoApp";
import { SESSION_COOKIE } from "@/lib/server/session";

// Without a session cookie there is nothing to show: go to the login screen straight away
// (a stale cookie is caught by the first API call, which sends the user back to log in).
export default async function Home() {
  if (!(await cookies()).get(SESSION_COOKIE)?.value) redirect("/login");
  return <TodoApp />;
}
