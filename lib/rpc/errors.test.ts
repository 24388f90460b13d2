import { describe, expect, it } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { CacheUnavailableError } from "../cache/errors.ts";
import { InvalidObjectKeyError } from "../storage/errors.ts";
import { codeName, isRetryable, toConnectError } from "./errors.ts";

describe("toConnectError", () => {
  it("keeps a ConnectError as it is", () => {
    const err = new ConnectError("no such chat", Code.NotFound);
    expect(toConnectError(err)).toBe(err);
  });

  it("maps socket and PostgreSQL failures to their codes", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(toConnectError(refused).code).toBe(Code.Unavailable);
    const unique = Object.assign(new Error("duplicate key"), { code: "23505" });
    expect(toConnectError(unique).code).toBe(Code.AlreadyExists);
    const timeout = Object.assign(new Error("canceling statement"), { code: "57014" });
    expect(toConnectError(timeout).code).toBe(Code.DeadlineExceeded);
    const killed = Object.assign(new Error("terminating connection"), { code: "57P01" });
    expect(isRetryable(toConnectError(killed))).toBe(true);
  });

  it("maps lib/ errors by name", () => {
    expect(toConnectError(new CacheUnavailableError("redis is down")).code).toBe(Code.Unavailable);
    expect(toConnectError(new InvalidObjectKeyError("../etc", "traversal")).code).toBe(
      Code.InvalidArgument,
    );
  });

  it("hides anything else as INTERNAL, keeping the cause for the log", () => {
    const bug = new TypeError("cannot read properties of undefined");
    const mapped = toConnectError(bug);
    expect(mapped.code).toBe(Code.Internal);
    expect(mapped.rawMessage).toBe("internal error");
    expect(mapped.cause).toBe(bug);
  });
});

describe("codeName", () => {
  it("gives upper-snake gRPC names", () => {
    expect(codeName(Code.DeadlineExceeded)).toBe("DEADLINE_EXCEEDED");
    expect(codeName(Code.NotFound)).toBe("NOT_FOUND");
    expect(codeName(undefined)).toBe("OK");
  });
});
