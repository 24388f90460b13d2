import { bool, port as envalidPort, makeValidator, type num, str, url } from "envalid";

/*
 * Validators with the expectation written once, so every config error line says what was expected.
 * Each takes envalid's spec options (default, choices, desc) and fills in `desc` when absent.
 */

type SpecOf<F> = F extends (spec?: infer S) => unknown ? NonNullable<S> : never;

export const text = (spec: SpecOf<typeof str> = {}) => str({ desc: "a non-empty string", ...spec });

export const flag = (spec: SpecOf<typeof bool> = {}) =>
  bool({ desc: "a boolean (true/false/1/0)", ...spec });

export const tcpPort = (spec: SpecOf<typeof envalidPort> = {}) =>
  envalidPort({ desc: "a TCP port number 1-65535", ...spec });

export const address = (spec: SpecOf<typeof url> = {}) =>
  url({ desc: "a URL such as postgres://host:5432/db", ...spec });

const positiveIntValidator = makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\d+$/.test(input.trim()) || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`not a positive integer: ${input}`);
  }
  return value;
});

export const positiveInt = (spec: SpecOf<typeof num> = {}) =>
  positiveIntValidator({ desc: "a positive integer", ...spec });

const wholeNumberValidator = makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\d+$/.test(input.trim()) || !Number.isSafeInteger(value)) {
    throw new Error(`not a whole number: ${input}`);
  }
  return value;
});

/** wholeNumber is 0 or more. */
export const wholeNumber = (spec: SpecOf<typeof num> = {}) =>
  wholeNumberValidator({ desc: "a whole number (0 or more)", ...spec });

const hostPortValidator = makeValidator<string>((input) => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(input.trim());
  const portNumber = match ? Number(match[2]) : 0;
  if (!match || portNumber < 1 || portNumber > 65535) throw new Error(`not host:port: ${input}`);
  return input.trim();
});

/** hostPort is a gRPC target such as `127.0.0.1:50051` or `auth.eco2-api.svc:50051`. */
export const hostPort = (spec: SpecOf<typeof str> = {}) =>
  hostPortValidator({ desc: "host:port such as 127.0.0.1:50051", ...spec });

export const oneOf = <T extends string>(choices: readonly T[], spec: { default?: T } = {}) =>
  str<T>({ desc: `one of ${choices.join(", ")}`, choices, ...spec });

/** intBetween is a whole number from min to max inclusive (e.g. a timeout a runtime bounds). */
export const intBetween = (min: number, max: number, spec: SpecOf<typeof num> = {}) =>
  makeValidator<number>((input) => {
    const value = Number(input);
    if (!/^\d+$/.test(input.trim()) || value < min || value > max) {
      throw new Error(`not a whole number from ${min} to ${max}: ${input}`);
    }
    return value;
  })({ desc: `a whole number from ${min} to ${max}`, ...spec });
