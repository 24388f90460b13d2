import { describe, expect, test } from "bun:test";
import { retryDelays, topicMatches } from "./topology.ts";

describe("topicMatches", () => {
  test.each([
    ["scan.*", "scan.requested", true],
    ["scan.*", "scan.a.b", false],
    ["scan.*", "scan", false],
    ["#", "anything.at.all", true],
    ["#.completed", "completed", true],
    ["#.completed", "scan.completed", true],
    ["#.completed", "scan.completed.x", false],
    ["chat.#.x", "chat.x", true],
    ["chat.#.x", "chat.a.b.x", true],
    ["a.*.c", "a.b.c", true],
    ["a.*.c", "a.c", false],
    ["scan.requested", "scan.requested", true],
    ["scan.requested", "scan.requestedx", false],
  ])("%s ~ %s = %p", (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});

describe("retryDelays", () => {
  test("doubles from the base, one delay per retry", () => {
    expect(retryDelays(5, 1000)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelays(1, 1000)).toEqual([]);
  });
});
