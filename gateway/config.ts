import { type Config, readConfig } from "../lib/config/read-config.ts";
import { address, flag, hostPort, positiveInt, tcpPort, text } from "../lib/config/validators.ts";
import { processConfigSpecs } from "../lib/process/process-config.ts";
import {
  addressVariable,
  COMPONENT_NAMES,
  type ComponentName,
  DEFAULT_GRPC_PORTS,
} from "../services/components.ts";

const DEFAULT_CORS_ORIGINS = [
  "https://frontend.dev.growbin.app",
  "https://frontend1.dev.growbin.app",
  "https://frontend2.dev.growbin.app",
  "http://localhost:5173",
].join(",");

const addressSpecs = Object.fromEntries(
  COMPONENT_NAMES.map((name) => [
    addressVariable(name),
    hostPort({ default: `127.0.0.1:${DEFAULT_GRPC_PORTS[name]}` }),
  ]),
) as Record<`${Uppercase<ComponentName>}_ADDR`, ReturnType<typeof hostPort>>;

/** Everything the gateway reads from the environment, with defaults. */
export const gatewayConfigSpecs = {
  ...processConfigSpecs,
  PORT: tcpPort({ default: 8000 }),
  BIND_HOST: text({ default: "0.0.0.0" }),
  /** Comma-separated origins allowed to call with credentials. */
  CORS_ORIGINS: text({ default: DEFAULT_CORS_ORIGINS }),
  /** Deadline of a gateway → service call. */
  RPC_TIMEOUT_MS: positiveInt({ default: 5000 }),
  /** Send Strict-Transport-Security (only behind TLS). */
  HSTS: flag({ default: false }),
  /** Largest API request body accepted, in bytes. */
  MAX_BODY_BYTES: positiveInt({ default: 1024 * 1024 }),
  /** Largest image upload through the local store's /media/ route, in bytes. */
  MAX_UPLOAD_BYTES: positiveInt({ default: 10 * 1024 * 1024 }),
  /** Where the browser lands after login when no allowed origin is known. */
  AUTH_FRONTEND_URL: address({ default: "https://frontend1.dev.growbin.app" }),
  /** `Domain` of the session cookies, e.g. `.dev.growbin.app`; unset: host-only cookies. */
  AUTH_COOKIE_DOMAIN: text({ default: undefined }),
  /** `Secure` on the session cookies; browsers accept Secure cookies on http://localhost too. */
  AUTH_COOKIE_SECURE: flag({ default: true }),
  ...addressSpecs,
};

export type GatewayConfig = Config<typeof gatewayConfigSpecs>;

export function readGatewayConfig(env?: Record<string, string | undefined>): GatewayConfig {
  return readConfig(gatewayConfigSpecs, env);
}

export function componentAddress(config: GatewayConfig, name: ComponentName): string {
  return config[addressVariable(name) as keyof GatewayConfig] as string;
}

/** authOptions are the login redirect and session cookie settings of the auth routes. */
export function authOptions(config: GatewayConfig) {
  return {
    frontendUrl: config.AUTH_FRONTEND_URL,
    cookie: { secure: config.AUTH_COOKIE_SECURE, domain: config.AUTH_COOKIE_DOMAIN },
  };
}

export function corsOrigins(config: GatewayConfig): string[] {
  return config.CORS_ORIGINS.split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}
