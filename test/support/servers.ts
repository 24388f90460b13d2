import { randomBytes } from "node:crypto";

/**
 * The real servers the suites run against: PostgreSQL, Redis and RabbitMQ on loopback. `.ci/run`
 * and `npm test` export these; a suite for a real adapter runs when its URL is set and is skipped,
 * with the reason in its name, when it is not (a machine without the servers), never in CI.
 */
export const realServers = {
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL,
  amqpUrl: process.env.AMQP_URL,
} as const;

/** uniqueName makes a schema, key prefix, queue or exchange name no other test run shares. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** skipReason says why a real-server suite cannot run here, or undefined when it can. */
export function skipReason(url: string | undefined, variable: string): string | undefined {
  if (url) return undefined;
  if (process.env.CI === "true") throw new Error(`${variable} must be set in CI`);
  return `(skipped: ${variable} is not set)`;
}
