// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import PrioritySelect from "@/components/PrioritySelect";

afterEach(cleanup);

const options = () => [...screen.getByRole("combobox").querySelectorAll("option")].map((o) => [o.value, o.textContent]);

describe("PrioritySelect", () => {
  it("offers the three priorities and reports the one picked", async () => {
    const onChange = vi.fn();
    render(<PrioritySelect aria-label="Priority" value="medium" onChange={onChange} />);
    expect(options()).toEqual([["high", "High"], ["medium", "Medium"], ["low", "Low"]]);
    await userEvent.setup().selectOptions(screen.getByLabelText("Priority"), "high");
    expect(onChange).toHaveBeenCalledWith("high");
  });

  it("puts 'any' first when filtering", async () => {
    const onChange = vi.fn();
    render(<PrioritySelect aria-label="Filter by priority" anyLabel="Any priority" value="low" onChange={onChange} />);
    expect(options()[0]).toEqual(["any", "Any priority"]);
    expect(options()).toHaveLength(4);
    await userEvent.setup().selectOptions(screen.getByLabelText("Filter by priority"), "any");
    expect(onChange).toHaveBeenCalledWith("any");
  });
});
