import { describe, expect, it } from "bun:test";
import { KeyMemo } from "./key-memo.ts";

describe("KeyMemo", () => {
  it("builds each key once, and starts again past its limit", () => {
    let built = 0;
    const memo = new KeyMemo((short) => {
      built++;
      return `p:${short}`;
    }, 2);
    expect(memo.of("a")).toBe("p:a");
    expect(memo.of("a")).toBe("p:a");
    expect(built).toBe(1);
    memo.of("b");
    memo.of("c"); // the third key: the memo starts again
    expect(built).toBe(3);
    expect(memo.of("a")).toBe("p:a");
    expect(built).toBe(4);
    expect(memo.of("c")).toBe("p:c");
    expect(built).toBe(4);
  });
});
