import { describe, expect, it } from "vitest";
import { actionFor, type KeyLike } from "../src/lib/shortcuts";

const key = (k: Partial<KeyLike>): KeyLike => ({
  key: "",
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  inTextField: false,
  ...k,
});

describe("shortcuts", () => {
  it("Ctrl or Cmd + digit opens a screen", () => {
    expect(actionFor(key({ key: "3", ctrlKey: true }))).toEqual({ kind: "screen", index: 2 });
    expect(actionFor(key({ key: "8", metaKey: true }))).toEqual({ kind: "screen", index: 7 });
    // Ten screens since the Visual screen: Ctrl+9 is the ninth, Ctrl+0 the tenth.
    expect(actionFor(key({ key: "9", ctrlKey: true }))).toEqual({ kind: "screen", index: 8 });
    expect(actionFor(key({ key: "0", ctrlKey: true }))).toEqual({ kind: "screen", index: 9 });
  });

  it("F toggles full screen, except while typing or with a modifier", () => {
    expect(actionFor(key({ key: "f" }))).toEqual({ kind: "fullscreen" });
    expect(actionFor(key({ key: "F", shiftKey: true }))).toEqual({ kind: "fullscreen" });
    expect(actionFor(key({ key: "f", inTextField: true }))).toBeNull();
    expect(actionFor(key({ key: "f", ctrlKey: true }))).toBeNull();
  });

  it("undo/redo, but text fields keep their own", () => {
    expect(actionFor(key({ key: "z", ctrlKey: true }))).toEqual({ kind: "undo" });
    expect(actionFor(key({ key: "Z", ctrlKey: true, shiftKey: true }))).toEqual({ kind: "redo" });
    expect(actionFor(key({ key: "y", metaKey: true }))).toEqual({ kind: "redo" });
    expect(actionFor(key({ key: "z", ctrlKey: true, inTextField: true }))).toBeNull();
  });

  it("? opens help except while typing", () => {
    expect(actionFor(key({ key: "?" }))).toEqual({ kind: "help" });
    expect(actionFor(key({ key: "?", inTextField: true }))).toBeNull();
  });

  it("M adds a marker, except while typing or with a modifier", () => {
    expect(actionFor(key({ key: "m" }))).toEqual({ kind: "marker" });
    expect(actionFor(key({ key: "M", shiftKey: true }))).toEqual({ kind: "marker" });
    expect(actionFor(key({ key: "m", inTextField: true }))).toBeNull();
    expect(actionFor(key({ key: "m", ctrlKey: true }))).toBeNull();
  });

  it("space plays or stops, except while typing", () => {
    expect(actionFor(key({ key: " " }))).toEqual({ kind: "play" });
    expect(actionFor(key({ key: " ", inTextField: true }))).toBeNull();
  });
});
