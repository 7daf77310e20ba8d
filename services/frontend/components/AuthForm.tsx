"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/api";

export default function AuthForm({ mode, notice }: { mode: "login" | "signup"; notice?: string }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signup = mode === "signup";

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await (signup ? api.register(email.trim(), password) : api.login(email.trim(), password));
      router.replace("/");
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Something went wrong. Please try again.");
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="auth-title">
        <p className="brand" aria-hidden="true">
          ✓ Todo
        </p>
        <h1 id="auth-title">{signup ? "Create your account" : "Welcome back"}</h1>
        <p className="muted">
          {signup ? "Sign up to keep your todos and let the assistant help." : "Log in to see your todos."}
        </p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete={signup ? "new-password" : "current-password"}
            required
            minLength={signup ? 8 : undefined}
            maxLength={128}
            aria-describedby={signup ? "pw-hint" : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {signup && (
            <small id="pw-hint" className="muted">
              At least 8 characters.
            </small>
          )}
        </label>
        {error && (
          <p className="alert" role="alert">
            {error}
          </p>
        )}
        <button className="btn primary wide" type="submit" disabled={busy}>
          {busy ? (signup ? "Creating account…" : "Logging in…") : signup ? "Sign up" : "Log in"}
        </button>
        <p className="muted switch">
          {signup ? "Already have an account? " : "New here? "}
          <Link href={signup ? "/login" : "/signup"}>{signup ? "Log in" : "Create an account"}</Link>
        </p>
      </form>
    </main>
  );
}
