"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from "react";
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
        <Field label="Email" type="email" name="email" autoComplete="email" value={email} onChange={setEmail} />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete={signup ? "new-password" : "current-password"}
          minLength={signup ? 8 : undefined}
          maxLength={128}
          aria-describedby={signup ? "pw-hint" : undefined}
          value={password}
          onChange={setPassword}
        >
          {signup && (
            <small id="pw-hint" className="muted">
              At least 8 characters.
            </small>
          )}
        </Field>
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

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "children"> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Shown under the input (a hint the input points at with aria-describedby). */
  children?: ReactNode;
};

/** A labelled, required input of the form. */
function Field({ label, value, onChange, children, ...input }: FieldProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} required value={value} onChange={(e) => onChange(e.target.value)} />
      {children}
    </label>
  );
}
