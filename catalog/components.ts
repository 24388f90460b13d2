/**
 * The component catalog: every fact about each Eco² component, stated once. The all-in-one start,
 * each standalone entry, every caller's client addresses and the Kubernetes manifests with their
 * NetworkPolicies are all derived from this table (see catalog/README.md).
 *
 * It sits above lib/ (which knows no component names) and below services/, workers/, gateway/,
 * scripts/ and infra/, which all import it; it imports nothing of theirs.
 */
import type { ConfigSpecs } from "../lib/config/read-config.ts";
import { address, flag, positiveInt, tcpPort, text } from "../lib/config/validators.ts";
import type { ComponentSpec, PeerAddress } from "../lib/process/component.ts";
import {
  DEFAULT_FRONTEND_URL,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_UPLOAD_BYTES,
} from "./defaults.ts";

/** The seven gRPC services, in start order. */
export const SERVICE_NAMES = [
  "auth",
  "my",
  "scan",
  "character",
  "location",
  "info",
  "chat",
] as const;
/** The two workers; they start after the services they call. */
export const WORKER_NAMES = ["storage", "ai"] as const;
/** Every component that serves gRPC (health at least), in start order. */
export const GRPC_COMPONENT_NAMES = [...SERVICE_NAMES, ...WORKER_NAMES] as const;
/** Every deployable component: the gateway and the gRPC components. */
export const COMPONENT_NAMES = ["gateway", ...GRPC_COMPONENT_NAMES] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];
export type WorkerName = (typeof WORKER_NAMES)[number];
export type GrpcComponentName = (typeof GRPC_COMPONENT_NAMES)[number];
export type ComponentName = (typeof COMPONENT_NAMES)[number];
export type ComponentKind = "gateway" | "service" | "worker";

/** Requests and limits of a pod; t3.small nodes have 2 vCPU and 2 GiB. */
export interface PodSize {
  readonly cpu: string;
  readonly memory: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
}

export interface CatalogEntry {
  readonly kind: ComponentKind;
  /** gRPC port when all components share one machine; null for the gateway (HTTP only). */
  readonly grpcPort: number | null;
  /** gRPC peers this component calls. A client for any other peer cannot be created. */
  readonly calls: readonly GrpcComponentName[];
  /** External HTTPS hosts it reaches (object storage, identity providers, LLM APIs, feeds). */
  readonly egress: readonly string[];
  /** The database schema it owns; only this component touches it. */
  readonly schema: string | null;
  /** Settings it reads beyond the ones every process reads (lib/process/process-config.ts). */
  readonly settings: ConfigSpecs;
  /** Settings that come from the Kubernetes Secret rather than the ConfigMap. */
  readonly secrets: readonly string[];
  readonly deploy: {
    readonly size: PodSize;
    readonly replicas: { readonly dev: number; readonly prodMin: number; readonly prodMax: number };
  };
}

const small: PodSize = { cpu: "100m", memory: "128Mi", cpuLimit: "500m", memoryLimit: "256Mi" };
const medium: PodSize = { cpu: "200m", memory: "256Mi", cpuLimit: "1", memoryLimit: "512Mi" };
/** The embedded vision model (TensorFlow.js WASM) needs room; t3.small has 2 GiB. */
const visionSized: PodSize = {
  cpu: "500m",
  memory: "768Mi",
  cpuLimit: "1500m",
  memoryLimit: "1280Mi",
};

const apiReplicas = { dev: 1, prodMin: 2, prodMax: 4 };
/** Every service and worker reaches the three data stores; the gateway only Redis. */
const DATA_SECRETS = ["DATABASE_URL", "REDIS_URL", "AMQP_URL"] as const;

const DEFAULT_CORS_ORIGINS = [
  "https://frontend.dev.growbin.app",
  "https://frontend1.dev.growbin.app",
  "https://frontend2.dev.growbin.app",
  "http://localhost:5173",
].join(",");

const gatewaySettings = {
  PORT: tcpPort({ default: 8000 }),
  BIND_HOST: text({ default: "0.0.0.0" }),
  /** Comma-separated origins allowed to call with credentials. */
  CORS_ORIGINS: text({ default: DEFAULT_CORS_ORIGINS }),
  /** Deadline of a gateway → service call. */
  RPC_TIMEOUT_MS: positiveInt({ default: 5000 }),
  /** Send Strict-Transport-Security (only behind TLS). */
  HSTS: flag({ default: false }),
  /** Largest API request body accepted, in bytes. */
  MAX_BODY_BYTES: positiveInt({ default: DEFAULT_MAX_BODY_BYTES }),
  /** Largest image upload through the local store's /media/ route, in bytes. */
  MAX_UPLOAD_BYTES: positiveInt({ default: DEFAULT_MAX_UPLOAD_BYTES }),
  /** Where the browser lands after login when no allowed origin is known. */
  AUTH_FRONTEND_URL: address({ default: DEFAULT_FRONTEND_URL }),
  /** `Domain` of the session cookies, e.g. `.dev.growbin.app`; unset: host-only cookies. */
  AUTH_COOKIE_DOMAIN: text({ default: undefined }),
  /** `Secure` on the session cookies; browsers accept Secure cookies on http://localhost too. */
  AUTH_COOKIE_SECURE: flag({ default: true }),
};

const authSettings = {
  /** Lets `POST /api/v1/auth/dev/login` sign users in without an identity provider. */
  AUTH_DEV_LOGIN: flag({ default: false }),
  /** Signing keys of access tokens (JSON); unset: a key pair kept under DATA_DIR. */
  AUTH_JWT_PRIVATE_KEYS: text({ default: undefined }),
};

const llmSettings = {
  /** An OpenAI-compatible endpoint (OpenAI, vLLM, Ollama); unset with no key: embedded AI. */
  OPENAI_BASE_URL: address({ default: undefined, desc: "an http(s):// URL" }),
  OPENAI_API_KEY: text({ default: undefined }),
};

const service = (
  grpcPort: number,
  extra: Partial<Pick<CatalogEntry, "calls" | "egress" | "secrets">> & {
    size?: PodSize;
  } = {},
) => ({
  kind: "service" as const,
  grpcPort,
  calls: extra.calls ?? [],
  egress: extra.egress ?? [],
  secrets: [...DATA_SECRETS, ...(extra.secrets ?? [])],
  deploy: { size: extra.size ?? small, replicas: apiReplicas },
});

/** The catalog. Add a component here first; the checks name whatever else still needs it. */
export const CATALOG = {
  gateway: {
    kind: "gateway",
    grpcPort: null,
    // Every gRPC component: the routes call the services and storage, and /readyz probes the
    // health of all nine, the ai worker included.
    calls: [...GRPC_COMPONENT_NAMES],
    egress: [],
    schema: null,
    settings: gatewaySettings,
    secrets: ["REDIS_URL"],
    deploy: { size: medium, replicas: { dev: 1, prodMin: 2, prodMax: 6 } },
  },
  auth: {
    ...service(50051, { secrets: ["AUTH_JWT_PRIVATE_KEYS"] }),
    schema: "auth",
    settings: authSettings,
  },
  my: { ...service(50052), schema: "my", settings: {} },
  scan: { ...service(50053, { calls: ["character"], size: medium }), schema: "scan", settings: {} },
  character: { ...service(50054), schema: "character", settings: {} },
  location: { ...service(50055), schema: "location", settings: {} },
  info: { ...service(50056), schema: "info", settings: {} },
  chat: {
    ...service(50057, {
      calls: ["location", "character", "info"],
      size: medium,
      secrets: ["OPENAI_API_KEY"],
    }),
    schema: "chat",
    settings: llmSettings,
  },
  storage: {
    kind: "worker",
    grpcPort: 50058,
    calls: [],
    // Images in S3 (the instance role's credentials; S3_ENDPOINT for S3-compatible stores).
    egress: ["s3.ap-northeast-2.amazonaws.com"],
    schema: "storage",
    settings: {},
    secrets: [...DATA_SECRETS],
    deploy: { size: medium, replicas: { dev: 1, prodMin: 1, prodMax: 3 } },
  },
  ai: {
    kind: "worker",
    grpcPort: 50059,
    calls: ["character", "location", "info", "scan", "chat"],
    // The OpenAI-compatible endpoint, when one is configured.
    egress: ["api.openai.com"],
    schema: "ai",
    settings: llmSettings,
    secrets: [...DATA_SECRETS, "OPENAI_API_KEY"],
    deploy: { size: visionSized, replicas: { dev: 1, prodMin: 1, prodMax: 2 } },
  },
} as const satisfies Record<ComponentName, CatalogEntry>;

export type Catalog = typeof CATALOG;
export type SettingsOf<N extends ComponentName> = Catalog[N]["settings"];

/** addressVariable is the environment variable through which callers find a component. */
export function addressVariable(name: GrpcComponentName): `${Uppercase<GrpcComponentName>}_ADDR` {
  return `${name.toUpperCase() as Uppercase<GrpcComponentName>}_ADDR`;
}

/** loopbackAddress is where a component listens when all of them share one machine. */
export function loopbackAddress(name: GrpcComponentName): string {
  return `127.0.0.1:${CATALOG[name].grpcPort}`;
}

export function isWorker(name: ComponentName): name is WorkerName {
  return CATALOG[name].kind === "worker";
}

/** peersOf lists the declared peers of a component with the variables holding their addresses. */
export function peersOf(name: ComponentName): Record<string, PeerAddress> {
  return Object.fromEntries(
    CATALOG[name].calls.map((peer) => [
      peer,
      { variable: addressVariable(peer), loopback: loopbackAddress(peer) },
    ]),
  );
}

/** componentSpec is what lib/process needs to start a gRPC component, typed by its settings. */
export function componentSpec<N extends GrpcComponentName>(name: N): ComponentSpec<SettingsOf<N>> {
  const entry: CatalogEntry = CATALOG[name];
  return {
    name,
    grpcPort: entry.grpcPort ?? 0,
    schema: entry.schema,
    settings: CATALOG[name].settings,
    peers: peersOf(name),
  };
}
