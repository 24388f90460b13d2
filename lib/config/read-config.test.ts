import { describe, expect, it } from "bun:test";
import { isConfigError, readConfig } from "./read-config.ts";
import { address, flag, hostPort, oneOf, positiveInt, tcpPort } from "./validators.ts";

const specs = {
  PORT: tcpPort({ default: 8000 }),
  MODE: oneOf(["a", "b"] as const, { default: "a" }),
  DATABASE_URL: address({ default: undefined }),
  TARGET: hostPort({ default: "127.0.0.1:50051" }),
  LIMIT: positiveInt({ default: 5 }),
  ON: flag({ default: false }),
};

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a configuration error");
}

describe("readConfig", () => {
  it("applies defaults and parses types", () => {
    const config = readConfig(specs, { PORT: "9000", ON: "true", LIMIT: "7" });
    expect(config as unknown).toEqual({
      PORT: 9000,
      MODE: "a",
      DATABASE_URL: undefined,
      TARGET: "127.0.0.1:50051",
      LIMIT: 7,
      ON: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("treats an empty variable as unset", () => {
    expect(readConfig(specs, { PORT: "" }).PORT).toBe(8000);
  });

  it("names the bad variable, what it expected and what it got, in one line", () => {
    const err = errorOf(() => readConfig(specs, { PORT: "abc" }));
    expect(isConfigError(err)).toBe(true);
    expect(err.message).toBe(
      'invalid configuration: PORT must be a TCP port number 1-65535, got "abc"',
    );
    expect(err.message).not.toContain("\n");
  });

  it("reports every bad variable together", () => {
    const err = errorOf(() =>
      readConfig(specs, { MODE: "c", TARGET: "nohost", LIMIT: "0", DATABASE_URL: "not a url" }),
    );
    for (const name of ["MODE", "TARGET", "LIMIT", "DATABASE_URL"])
      expect(err.message).toContain(name);
    expect((err as unknown as { variables: string[] }).variables.sort()).toEqual([
      "DATABASE_URL",
      "LIMIT",
      "MODE",
      "TARGET",
    ]);
  });

  it("says a required variable is missing", () => {
    const err = errorOf(() => readConfig({ SECRET: tcpPort() }, {}));
    expect(err.message).toBe(
      "invalid configuration: SECRET is required (a TCP port number 1-65535)",
    );
  });
});
