"use client";

import type { SelectHTMLAttributes } from "react";
import type { Priority } from "@/lib/types";

const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "high", label: "High" },
  { value: "medium", label: "Medium" },
  { value: "low", label: "Low" },
];

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange" | "children">;

/** A todo's priority; with `anyLabel`, also "any" first (for filtering). */
type Props =
  | (SelectProps & { value: Priority; onChange: (value: Priority) => void; anyLabel?: undefined })
  | (SelectProps & { value: Priority | "any"; onChange: (value: Priority | "any") => void; anyLabel: string });

export default function PrioritySelect({ value, onChange, anyLabel, ...select }: Props) {
  return (
    <select {...select} value={value} onChange={(e) => (onChange as (value: string) => void)(e.target.value)}>
      {anyLabel !== undefined && <option value="any">{anyLabel}</option>}
      {PRIORITIES.map((p) => (
        <option key={p.value} value={p.value}>
          {p.label}
        </option>
      ))}
    </select>
  );
}
