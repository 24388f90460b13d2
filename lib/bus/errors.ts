/**
 * Typed bus errors. Each sets `name`, and the `is…` guards check the name rather than
 * `instanceof`, so they still hold when two copies of this module are loaded.
 */

/** PublishTimeoutError: the broker did not confirm a publish within the timeout. The message may
 * still arrive (at-least-once), so callers retry and consumers stay idempotent. */
export class PublishTimeoutError extends Error {
  override readonly name = "PublishTimeoutError";
  constructor(
    readonly routingKey: string,
    readonly timeoutMs: number,
  ) {
    super(`no publish confirm for ${routingKey} within ${timeoutMs} ms`);
  }
}

/** BusClosedError: the bus was closed; nothing more can be published or consumed on it. */
export class BusClosedError extends Error {
  override readonly name = "BusClosedError";
  constructor(what = "bus") {
    super(`${what} is closed`);
  }
}

/** BusUnavailableError: the broker cannot be reached right now (readiness reports this). */
export class BusUnavailableError extends Error {
  override readonly name = "BusUnavailableError";
}

/** UndecodableMessageError: a delivery whose type is unknown to the consumer or whose body is not
 * a valid protobuf of that type. It is dead-lettered at once: retrying cannot fix it. */
export class UndecodableMessageError extends Error {
  override readonly name = "UndecodableMessageError";
}

export function isPublishTimeoutError(err: unknown): err is PublishTimeoutError {
  return err instanceof Error && err.name === "PublishTimeoutError";
}

export function isBusClosedError(err: unknown): err is BusClosedError {
  return err instanceof Error && err.name === "BusClosedError";
}
