import { describe, expect, it } from "vitest";
import { addDays, byDay, monthGrid, monthOf, shiftMonth, weekOf } from "../src/lib/release";

describe("release calendar helpers", () => {
  it("moves between months across years", () => {
    expect(shiftMonth("2027-01", -1)).toBe("2026-12");
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2027-01", 13)).toBe("2028-02");
    expect(monthOf("2027-01-15")).toBe("2027-01");
  });

  it("lays a month out in Monday-first weeks", () => {
    // 1 January 2027 is a Friday.
    const weeks = monthGrid("2027-01");
    expect(weeks[0]).toEqual([null, null, null, null, "2027-01-01", "2027-01-02", "2027-01-03"]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    // February of a leap year has 29 days.
    expect(monthGrid("2028-02").flat().filter(Boolean)).toHaveLength(29);
  });

  it("finds the Monday-first week of a day, across a year's end", () => {
    // 15 January 2027 is a Friday.
    expect(weekOf("2027-01-15")).toEqual(["2027-01-11", "2027-01-12", "2027-01-13", "2027-01-14", "2027-01-15", "2027-01-16", "2027-01-17"]);
    expect(weekOf("2027-01-01")[0]).toBe("2026-12-28");
    expect(weekOf("2027-01-11")[0]).toBe("2027-01-11");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2027-01-01", -7)).toBe("2026-12-25");
  });

  it("groups events by day", () => {
    const m = byDay([
      { date: "2027-01-15", id: "a" },
      { date: "2027-01-15", id: "b" },
      { date: "2027-01-18", id: "c" },
    ]);
    expect(m.get("2027-01-15")?.map((e) => e.id)).toEqual(["a", "b"]);
    expect(m.get("2027-01-18")).toHaveLength(1);
  });
});
