import { CATALOG, type GrpcComponentName, peersOf } from "../catalog/components.ts";
import { type Config, readConfig } from "../lib/config/read-config.ts";
import { peerAddresses, peerAddressSpecs } from "../lib/process/peer-clients.ts";
import { processConfigSpecs } from "../lib/process/process-config.ts";

/** The gateway's catalog entry as lib/process reads it: its settings and the peers it calls. */
export const gatewaySpec = { settings: CATALOG.gateway.settings, peers: peersOf("gateway") };

/** Everything the gateway reads from the environment, with defaults. */
export const gatewayConfigSpecs = {
  ...processConfigSpecs,
  ...CATALOG.gateway.settings,
  ...peerAddressSpecs(gatewaySpec),
};

export type GatewayConfig = Config<typeof gatewayConfigSpecs>;

export function readGatewayConfig(env?: Record<string, string | undefined>): GatewayConfig {
  return readConfig(gatewayConfigSpecs, env);
}

/** gatewayPeerAddresses gives the address of every component the gateway calls, by name. */
export function gatewayPeerAddresses(config: GatewayConfig): Record<GrpcComponentName, string> {
  return peerAddresses(gatewaySpec, config) as Record<GrpcComponentName, string>;
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
