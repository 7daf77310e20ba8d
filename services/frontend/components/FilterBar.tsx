"use client";

import { SORT_LABELS, type Filters, type SortKey, type StatusFilter } from "@/lib/todos";
import PrioritySelect from "./PrioritySelect";

interface Props {
  filters: Filters;
  counts: Record<StatusFilter, number>;
  onChange: (f: Filters) => void;
}

const STATUSES: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "active", label: "Active" },
  { value: "completed", label: "Completed" },
];

export default function FilterBar({ filters, counts, onChange }: Props) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  return (
    <div className="filters">
      <div className="segmented" role="group" aria-label="Show">
        {STATUSES.map((s) => (
          <button
            key={s.value}
            type="button"
            className={filters.status === s.value ? "on" : ""}
            aria-pressed={filters.status === s.value}
            onClick={() => set({ status: s.value })}
          >
            {s.label} <span className="count">{counts[s.value]}</span>
          </button>
        ))}
      </div>
      <label className="field">
        <span className="sr-only">Filter by priority</span>
        <PrioritySelect
          aria-label="Filter by priority"
          anyLabel="Any priority"
          value={filters.priority}
          onChange={(priority) => set({ priority })}
        />
      </label>
      <label className="field">
        <span className="sr-only">Sort by</span>
        <select aria-label="Sort by" value={filters.sort} onChange={(e) => set({ sort: e.target.value as SortKey })}>
          {Object.entries(SORT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="field grow">
        <span className="sr-only">Search todos</span>
        <input type="search" placeholder="Search…" value={filters.text} onChange={(e) => set({ text: e.target.value })} />
      </label>
    </div>
  );
}
