"use client";

import { useRef, useState } from "react";
import { api, ApiError } from "@/lib/api";

interface Props {
  email: string;
  /** The account is gone and the session cookie cleared. */
  onDeleted: () => void;
  /** The session had already ended (the cookie is cleared); nothing was deleted. */
  onUnauthorized: () => void;
}

/**
 * "Delete account…" opens a modal confirmation that names the account; only its own button
 * deletes. A failure (the backend down, say) is shown in the dialog and nothing is deleted.
 */
export default function DeleteAccount({ email, onDeleted, onUnauthorized }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function open() {
    setError(null);
    dialog.current?.showModal();
  }

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await api.deleteAccount();
      dialog.current?.close();
      onDeleted();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return onUnauthorized();
      setError(err instanceof Error ? err.message : "Something went wrong. Please try again.");
      setBusy(false);
    }
  }

  return (
    <>
      <button className="btn ghost danger" type="button" onClick={open}>
        Delete account…
      </button>
      <dialog
        ref={dialog}
        className="card confirm-dialog"
        aria-labelledby="delete-account-title"
        aria-describedby="delete-account-text"
        onClose={() => setBusy(false)}
      >
        <h2 id="delete-account-title">Delete your account?</h2>
        <p id="delete-account-text">
          This permanently deletes the account <strong>{email}</strong> and all of its todos. It cannot be undone.
        </p>
        {error && (
          <p className="alert" role="alert">
            {error}
          </p>
        )}
        <div className="confirm-actions">
          <button className="btn" type="button" autoFocus onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button className="btn destructive" type="button" onClick={confirm} disabled={busy}>
            {busy ? "Deleting…" : "Delete my account"}
          </button>
        </div>
      </dialog>
    </>
  );
}
