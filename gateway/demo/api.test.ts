import { describe, expect, it } from "bun:test";
import { ApiFailure, messageOf, readableError } from "./api.ts";

describe("demo page error messages", () => {
  it("speaks Korean for a known code, never the raw body", () => {
    const failure = readableError(400, {
      detail: "request origin is not allowed",
      code: "CSRF_ORIGIN_REJECTED",
    });
    expect(failure.code).toBe("CSRF_ORIGIN_REJECTED");
    expect(failure.message).toBe("허용되지 않은 곳에서 온 요청이라 막았어요.");
  });

  it("falls back to the detail of an unknown code, a validation list or a nested message", () => {
    expect(readableError(409, { detail: "phone in use", code: "SOMETHING_NEW" }).message).toBe(
      "요청을 처리하지 못했어요. (phone in use)",
    );
    expect(readableError(422, { detail: [{ msg: "too long" }, { msg: "bad" }] }).message).toBe(
      "요청을 처리하지 못했어요. (too long, bad)",
    );
    const model = { detail: { error: "unsupported_model", message: "no such model" } };
    expect(readableError(400, model).message).toContain("no such model");
  });

  it("names the status when there is nothing else, and a server fault as ours", () => {
    expect(readableError(502, "").message).toBe("서버에 문제가 생겼어요. (HTTP 502)");
    expect(readableError(404, null).code).toBe("HTTP_404");
  });

  it("describes a network failure and anything unexpected in Korean too", () => {
    expect(messageOf(new TypeError("Failed to fetch"))).toContain("서버에 연결할 수 없어요");
    expect(messageOf(new ApiFailure(429, "RATE_LIMITED", "잠시 후"))).toBe("잠시 후");
    expect(messageOf(new Error("boom"))).toBe("알 수 없는 문제가 생겼어요.");
  });
});
