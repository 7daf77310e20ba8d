import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import AuthForm from "@/components/AuthForm";
import { SESSION_COOKIE } from "@/lib/server/session";

export const metadata: Metadata = { title: "Log in · Todo" };

export default async function LoginPage() {
  if ((await cookies()).get(SESSION_COOKIE)?.value) redirect("/");
  return <AuthForm mode="login" />;
}
