import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import AuthForm from "@/components/AuthForm";
import { SESSION_COOKIE, isTokenShaped } from "@/lib/server/session";

export const metadata: Metadata = { title: "Log in · Todo" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  if (isTokenShaped((await cookies()).get(SESSION_COOKIE)?.value)) redirect("/");
  // Where the app sends a user whose account was just deleted.
  const deleted = (await searchParams).account === "deleted";
  const notice = deleted ? "Your account and all of its todos were deleted." : undefined;
  return <AuthForm mode="login" notice={notice} />;
}
