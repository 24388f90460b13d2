/**
 * The component catalog: every fact about each Eco² component, stated once. The all-in-one start,
 * each standalone entry, every caller's client addresses and the Kubernetes manifests with their
 * NetworkPolicies are all derived from this table (see catalog/README.md).
 *
 * It sits above lib/ (which knows no component names) and below services/, workers/, gateway/,
 * scripts/ and infra/, which all import it; it imports nothing of theirs.
 */
import type { ConfigSpecs } from "../lib/config/read-config.ts";
import {
  address,
  flag,
  intBetween,
  positiveInt,
  tcpPort,
  text,
  wholeNumber,
} from "../lib/config/validators.ts";
import type { ComponentSpec, PeerAddress } from "../lib/process/component.ts";
import {
  DEFAULT_FRONTEND_URL,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_UPLOAD_BYTES,
} from "./defaults.ts";

/**
 * RUNTIME_ENV is the environment every Bun process of ours starts with: read by the runtime
 * itself before any of our code runs, so it is no setting (nothing of ours reads or validates
 * it) and `.env` files come too late for it. The image (Dockerfile), `npm start` and the test
 * and benchmark spawns set it; catalog.test.ts checks they agree.
 *
 * MIMALLOC_PURGE_DELAY=-1: Bun's allocator (mimalloc) hands freed pages back to the OS 100 ms
 * after they empty. Under load the garbage collector empties and refills pages faster than
 * that, so every purge came back as page faults (~0.15 per gateway request, each with an
 * madvise and its TLB flush): ~20 % of a loaded gateway's CPU on this box, ~7 % of a hello's.
 * Kept, the memory stays resident at its high-water mark, which the pod's limit bounds anyway
 * (the gateway: 127 against 84 MB after a burst). bench/README.md, eighth pass.
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = { MIMALLOC_PURGE_DELAY: "-1" };

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
/**
 * Image processing: one 40-megapixel image holds ~245 MB while processed and the worker processes
 * two at a time (workers/storage/intake.ts), on top of ~130 MB at rest.
 */
const imageSized: PodSize = {
  cpu: "250m",
  memory: "384Mi",
  cpuLimit: "1",
  memoryLimit: "768Mi",
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

/** How tokens are signed and checked: the issuer (auth) and the verifier (gateway) must agree. */
const tokenSettings = {
  /** `iss` of every token. */
  AUTH_JWT_ISSUER: text({ default: "api.dev.growbin.app/api/v1/auth" }),
  /** `aud` of every token. */
  AUTH_JWT_AUDIENCE: text({ default: "api" }),
  AUTH_ACCESS_TOKEN_TTL_SECONDS: positiveInt({ default: 15 * 60 }),
  AUTH_REFRESH_TOKEN_TTL_SECONDS: positiveInt({ default: 14 * 24 * 60 * 60 }),
  /** Lets `POST /api/v1/auth/dev/login` sign users in without an identity provider. */
  AUTH_DEV_LOGIN: flag({ default: false }),
};

const gatewaySettings = {
  ...tokenSettings,
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
  /** Requests per minute one client address may make to the auth routes. */
  RATE_LIMIT_AUTH_PER_MINUTE: positiveInt({ default: 60 }),
  /** Requests per minute one signed-in user may make to everything else. */
  RATE_LIMIT_USER_PER_MINUTE: positiveInt({ default: 600 }),
  /** Chat messages per minute one user may send (C6 and WebSocket `message` frames together). */
  RATE_LIMIT_CHAT_MESSAGES_PER_MINUTE: positiveInt({ default: 20 }),
  /**
   * A chat WebSocket that sends nothing (not even a pong to the server's ping) for this long is
   * closed. Bun pings at half of it and counts in 4 s steps, hence the lower bound.
   */
  WS_IDLE_TIMEOUT_SECONDS: intBetween(8, 960, { default: 60 }),
  /** Largest WebSocket frame read; a bigger one closes the socket with 1009 (too big). */
  WS_MAX_FRAME_BYTES: positiveInt({ default: 4 * 1024 * 1024 }),
  /** Job streams one chat WebSocket may follow at once. */
  WS_MAX_STREAMS_PER_SOCKET: positiveInt({ default: 20 }),
  /**
   * Proxies in front of the gateway that append to X-Forwarded-For (1 behind the ALB); 0 trusts
   * no header and uses the socket's address.
   */
  TRUSTED_PROXY_HOPS: wholeNumber({ default: 0 }),
  /**
   * Serve the demo page at / and /demo (gateway/demo/). Off by default, so a deployment serves
   * only the API; the all-in-one start (`npm start`) turns it on for a laptop.
   */
  DEMO_PAGE: flag({ default: false }),
};

/** One identity provider's client and endpoints; the endpoints change only for a stand-in. */
const oauthProvider = (authorize: string, token: string, userinfo: string) => ({
  clientId: text({ default: undefined }),
  clientSecret: text({ default: undefined }),
  redirectUri: address({ default: undefined, desc: "an http(s):// URL" }),
  authorizeUrl: address({ default: authorize }),
  tokenUrl: address({ default: token }),
  userinfoUrl: address({ default: userinfo }),
});
const google = oauthProvider(
  "https://accounts.google.com/o/oauth2/v2/auth",
  "https://oauth2.googleapis.com/token",
  "https://www.googleapis.com/oauth2/v3/userinfo",
);
const kakao = oauthProvider(
  "https://kauth.kakao.com/oauth/authorize",
  "https://kauth.kakao.com/oauth/token",
  "https://kapi.kakao.com/v2/user/me",
);
const naver = oauthProvider(
  "https://nid.naver.com/oauth2.0/authorize",
  "https://nid.naver.com/oauth2.0/token",
  "https://openapi.naver.com/v1/nid/me",
);

const authSettings = {
  ...tokenSettings,
  /** Signing keys of access tokens (a JSON array of private Ed25519 JWKs, the signer first); unset: a key kept under DATA_DIR. */
  AUTH_JWT_PRIVATE_KEYS: text({ default: undefined }),
  AUTH_OAUTH_STATE_TTL_SECONDS: positiveInt({ default: 600 }),
  /** How long a call to an identity provider may take. */
  AUTH_OAUTH_TIMEOUT_MS: positiveInt({ default: 10_000 }),
  /** The callback URL registered with the providers when the client sends none (`{p}` = provider). */
  AUTH_OAUTH_REDIRECT_URI: text({
    default: "https://api.dev.growbin.app/api/v1/auth/{p}/callback",
  }),
  AUTH_GOOGLE_CLIENT_ID: google.clientId,
  AUTH_GOOGLE_CLIENT_SECRET: google.clientSecret,
  AUTH_GOOGLE_AUTHORIZE_URL: google.authorizeUrl,
  AUTH_GOOGLE_TOKEN_URL: google.tokenUrl,
  AUTH_GOOGLE_USERINFO_URL: google.userinfoUrl,
  AUTH_KAKAO_CLIENT_ID: kakao.clientId,
  AUTH_KAKAO_CLIENT_SECRET: kakao.clientSecret,
  AUTH_KAKAO_AUTHORIZE_URL: kakao.authorizeUrl,
  AUTH_KAKAO_TOKEN_URL: kakao.tokenUrl,
  AUTH_KAKAO_USERINFO_URL: kakao.userinfoUrl,
  AUTH_NAVER_CLIENT_ID: naver.clientId,
  AUTH_NAVER_CLIENT_SECRET: naver.clientSecret,
  AUTH_NAVER_AUTHORIZE_URL: naver.authorizeUrl,
  AUTH_NAVER_TOKEN_URL: naver.tokenUrl,
  AUTH_NAVER_USERINFO_URL: naver.userinfoUrl,
};

const llmSettings = {
  /** An OpenAI-compatible endpoint (OpenAI, vLLM, Ollama); unset with no key: embedded AI. */
  OPENAI_BASE_URL: address({ default: undefined, desc: "an http(s):// URL" }),
  OPENAI_API_KEY: text({ default: undefined }),
  /** The provider's default model; a scan may name another (CONTRACT S1 `model`). */
  OPENAI_MODEL: text({ default: "gpt-5.2", desc: "a model name the provider serves" }),
};

const storageSettings = {
  /**
   * Public base URL of the CDN in front of the image bucket, e.g. `https://images.dev.growbin.app`;
   * `cdn_url` is `<CDN_BASE_URL>/<key>`. Unset: a long-lived signed URL of the object store (the
   * gateway's /media/ route on the local store).
   */
  CDN_BASE_URL: address({ default: undefined, desc: "an http(s):// URL" }),
};

const locationSettings = {
  /** Kakao Local REST key; unset: /search and /suggest use our own sites only (CONTRACT §A.12). */
  KAKAO_REST_API_KEY: text({ default: undefined }),
  /** Kakao Local's base URL; tests point it at a local stand-in. */
  KAKAO_LOCAL_BASE_URL: address({ default: "https://dapi.kakao.com", desc: "an http(s):// URL" }),
  /** Deadline of one Kakao call: a slow Kakao must not hold up the map. */
  KAKAO_TIMEOUT_MS: positiveInt({ default: 2000 }),
};

/** The news collector's sources and limits (CONTRACT §3.5, A.13); a source without its key stays off. */
const newsSettings = {
  /**
   * RSS/Atom feeds, comma-separated, each read without a key; `none` turns feeds off. The default
   * is the government briefing's 환경부 feed (its host is in the info service's egress).
   */
  NEWS_RSS_FEEDS: text({ default: "https://www.korea.kr/rss/dept_me.xml" }),
  /** Naver News Search: runs only when both the id and the secret are set. */
  NEWS_NAVER_CLIENT_ID: text({ default: undefined }),
  NEWS_NAVER_CLIENT_SECRET: text({ default: undefined }),
  NEWS_NAVER_URL: address({ default: "https://openapi.naver.com/v1/search/news.json" }),
  /** NewsData.io: runs only when the key is set. */
  NEWS_NEWSDATA_API_KEY: text({ default: undefined }),
  NEWS_NEWSDATA_URL: address({ default: "https://newsdata.io/api/1/latest" }),
  /** How often one replica collects (±10 % jitter; a Redis lock keeps the others out). */
  NEWS_REFRESH_INTERVAL_SECONDS: positiveInt({ default: 30 * 60 }),
  /** Delay of the first collection after start. */
  NEWS_FIRST_REFRESH_DELAY_MS: wholeNumber({ default: 2000 }),
  /** One feed or API request, body included, must finish within this. */
  NEWS_FETCH_TIMEOUT_MS: positiveInt({ default: 10_000 }),
  /** Largest feed or API answer read, in bytes. */
  NEWS_FETCH_MAX_BYTES: positiveInt({ default: 2 * 1024 * 1024 }),
  /** How long a feed page stays in the Redis cache. */
  NEWS_FEED_CACHE_TTL_SECONDS: positiveInt({ default: 60 }),
  /** Give new articles without an image their page's OpenGraph image (SSRF-guarded fetches). */
  NEWS_THUMBNAILS: flag({ default: true }),
  /**
   * A test setting: comma-separated `host:port`s exempt from the private-address refusal of page
   * fetches (stand-ins on 127.0.0.1). Unset in every real deployment.
   */
  NEWS_FETCH_ALLOW_HOSTS: text({ default: undefined }),
  /** Fill an empty feed with the bundled sample articles (marked [예시]) at start. */
  NEWS_SAMPLE_SEED: flag({ default: true }),
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
    ...service(50051, {
      calls: ["my"],
      // The identity providers' token and profile endpoints (the browser alone visits the login pages).
      egress: [
        "oauth2.googleapis.com",
        "www.googleapis.com",
        "kauth.kakao.com",
        "kapi.kakao.com",
        "nid.naver.com",
        "openapi.naver.com",
      ],
      secrets: [
        "AUTH_JWT_PRIVATE_KEYS",
        "AUTH_GOOGLE_CLIENT_SECRET",
        "AUTH_KAKAO_CLIENT_SECRET",
        "AUTH_NAVER_CLIENT_SECRET",
      ],
    }),
    schema: "auth",
    settings: authSettings,
  },
  // The collection shown on the my page lives in the character service.
  my: { ...service(50052, { calls: ["character"] }), schema: "my", settings: {} },
  scan: {
    // storage: whether an image URL names one of the caller's uploads.
    ...service(50053, { calls: ["storage"], size: medium }),
    schema: "scan",
    settings: {
      /** A job with no progress for this long has lost its worker and is failed. */
      SCAN_JOB_IDLE_SECONDS: positiveInt({ default: 120 }),
    },
  },
  character: { ...service(50054), schema: "character", settings: {} },
  location: {
    // Kakao Local keyword search, only when KAKAO_REST_API_KEY is set.
    ...service(50055, { egress: ["dapi.kakao.com"], secrets: ["KAKAO_REST_API_KEY"] }),
    schema: "location",
    settings: locationSettings,
  },
  info: {
    ...service(50056, {
      // The news sources' default endpoints and the default RSS feed's host. Article pages read
      // for OpenGraph thumbnails live on any publisher's host: the public-HTTPS rule covers them.
      egress: ["openapi.naver.com", "newsdata.io", "www.korea.kr"],
      secrets: ["NEWS_NAVER_CLIENT_SECRET", "NEWS_NEWSDATA_API_KEY"],
    }),
    schema: "info",
    settings: newsSettings,
  },
  chat: {
    // storage: whether a message's image URL names one of the caller's uploads. The agent itself
    // runs in the ai worker.
    ...service(50057, { calls: ["storage"], size: medium }),
    schema: "chat",
    settings: {
      /** How long a job's events (stages and tokens) stay replayable after its last one. */
      CHAT_EVENTS_TTL_SECONDS: positiveInt({ default: 3600 }),
      /** A job with no event for this long has lost its worker and is failed. */
      CHAT_JOB_IDLE_SECONDS: positiveInt({ default: 120 }),
    },
  },
  storage: {
    kind: "worker",
    grpcPort: 50058,
    calls: [],
    // Images in S3 (the instance role's credentials; S3_ENDPOINT for S3-compatible stores).
    egress: ["s3.ap-northeast-2.amazonaws.com"],
    schema: "storage",
    settings: storageSettings,
    secrets: [...DATA_SECRETS],
    deploy: { size: imageSized, replicas: { dev: 1, prodMin: 1, prodMax: 3 } },
  },
  ai: {
    kind: "worker",
    grpcPort: 50059,
    calls: ["character", "location", "info", "scan", "chat", "storage"],
    // The OpenAI-compatible endpoint and the forecast provider, each only when configured.
    egress: ["api.openai.com", "api.open-meteo.com"],
    schema: "ai",
    settings: {
      ...llmSettings,
      /** Attempts per scan stage, the first included, before the job fails. */
      SCAN_STAGE_ATTEMPTS: positiveInt({ default: 3 }),
      /** Scan jobs one worker runs at once (vision inferences run one at a time anyway). */
      SCAN_CONCURRENCY: positiveInt({ default: 4 }),
      /** Chat messages one worker answers at once (most of a turn waits on other services). */
      CHAT_CONCURRENCY: positiveInt({ default: 32 }),
      /** How long a needs_input question (a location) waits for the user's answer. */
      CHAT_INPUT_WAIT_MS: positiveInt({ default: 30000 }),
      /** Deadline of a provider's intent answer and of a streamed answer's first byte. */
      CHAT_PROVIDER_TIMEOUT_MS: positiveInt({ default: 15000 }),
      /** Deadline of a chat web search (the provider's hosted search; on with OPENAI_API_KEY). */
      CHAT_WEB_SEARCH_TIMEOUT_MS: positiveInt({ default: 30000 }),
      /**
       * A forecast endpoint speaking the Open-Meteo forecast API; set it to
       * `https://api.open-meteo.com/v1/forecast` (no key needed) to turn the chat's weather answers
       * on. Unset: weather answers "not available" and nothing calls out.
       */
      WEATHER_API_URL: address({ default: undefined, desc: "an http(s):// URL" }),
      /** Deadline of one forecast call, body included: a slow provider must not hold up the answer. */
      WEATHER_TIMEOUT_MS: positiveInt({ default: 3000 }),
    },
    secrets: [...DATA_SECRETS, "OPENAI_API_KEY"],
    deploy: { size: visionSized, replicas: { dev: 1, prodMin: 1, prodMax: 2 } },
  },
} as const satisfies Record<ComponentName, CatalogEntry>;

export type Catalog = typeof CATALOG;

/** Secrets a pod starts without: the feature that needs one stays off until it is set. */
export const OPTIONAL_SECRETS: ReadonlySet<string> = new Set([
  "OPENAI_API_KEY",
  "AUTH_GOOGLE_CLIENT_SECRET",
  "AUTH_KAKAO_CLIENT_SECRET",
  "AUTH_NAVER_CLIENT_SECRET",
  "KAKAO_REST_API_KEY",
  "NEWS_NAVER_CLIENT_SECRET",
  "NEWS_NEWSDATA_API_KEY",
]);
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
