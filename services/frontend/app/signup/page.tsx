import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import AuthForm from "@/components/AuthForm";
import { SESSION_COOKIE, isTokenShaped } from "@/lib/server/session";

export const metadata: Metadata = { title: "Sign up · Todo" };

export default async function SignupPage() {
  if (isTokenShaped((await cookies()).get(SESSION_COOKIE)?.value)) redirect("/");
  return <AuthForm mode="signup" />;
}
