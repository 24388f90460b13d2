import { describe, expect, it } from "bun:test";
import { displayName, nicknameOf, normalizePhoneNumber } from "./profile-rules.ts";

describe("profile rules", () => {
  it("shows the trimmed nickname, else the name, else 사용자", () => {
    expect(displayName({ nickname: "  이코  ", name: "홍길동" })).toBe("이코");
    expect(displayName({ nickname: "   ", name: "홍길동" })).toBe("홍길동");
    expect(displayName({ nickname: null, name: null })).toBe("사용자");
    expect(nicknameOf({ nickname: null, name: "홍길동" })).toBe("홍길동");
    expect(nicknameOf({ nickname: null, name: null })).toBe("사용자");
  });

  it("normalises Korean mobile numbers and refuses the rest", () => {
    expect(normalizePhoneNumber("01012345678")).toBe("010-1234-5678");
    expect(normalizePhoneNumber("+82 10-1234-5678")).toBe("010-1234-5678");
    expect(normalizePhoneNumber("011-123-4567")).toBe("011-123-4567");
    expect(normalizePhoneNumber("02-123-4567")).toBeUndefined();
    expect(normalizePhoneNumber("0101234567890")).toBeUndefined();
    expect(normalizePhoneNumber("phone")).toBeUndefined();
  });
});
