import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { timestampFromDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { Validator } from "@seriousme/openapi-schema-validator";
import { AuthService } from "../../gen/eco2/auth/v1/auth_pb.ts";
import { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";
import { MyService } from "../../gen/eco2/my/v1/my_pb.ts";
import { JobStatus, ScanService } from "../../gen/eco2/scan/v1/scan_pb.ts";
import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { Readiness } from "../../lib/health/index.ts";
import {
  createRpcServer,
  defineService,
  domainError,
  type RpcServer,
} from "../../lib/rpc/index.ts";
import { testSession } from "../../test/support/session.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { createApp, fetchWithContext } from "../app.ts";
import { createServiceClients, type ServiceClients } from "../clients.ts";

// In-process stand-ins for services not built yet. Methods left out answer UNIMPLEMENTED, which
// is how the tests reach the gateway's 501. Each records the last request it got per method.
const seen: Record<string, unknown> = {};
const record = <T>(name: string, request: T): T => {
  seen[name] = request;
  return request;
};

const AT = new Date("2026-01-02T03:04:05.000Z");
const AT_ISO = "2026-01-02T03:04:05.000Z";
const CHAT_ID = "4b6f2a52-8d0e-4a47-9a59-1c2d3e4f5a6b";
const OTHER_CHAT_ID = "0c9d9a57-3b7e-4c1e-9b9f-2f7b3c6d8e10";
const FRONTEND = "https://frontend1.dev.growbin.app";
const DEV_ORIGIN = "http://localhost:5173";

function tokenPair(suffix: string) {
  return {
    accessToken: `access-${suffix}`,
    refreshToken: `refresh-${suffix}`,
    accessExpiresAt: timestampFromMs(Date.now() + 900_000),
    refreshExpiresAt: timestampFromMs(Date.now() + 14 * 86_400_000),
    userId: "user-1",
    provider: "kakao",
  };
}

const authFake = defineService(AuthService, {
  getAuthorizationUrl(req) {
    record("getAuthorizationUrl", req);
    return {
      provider: req.provider,
      state: req.state || "generated-state",
      authorizationUrl: `https://kauth.kakao.com/oauth/authorize?state=${req.state || "generated-state"}`,
      expiresAt: timestampFromDate(AT),
    };
  },
  completeOAuth(req) {
    record("completeOAuth", req);
    if (req.code === "good") return { tokens: tokenPair("oauth"), frontendOrigin: DEV_ORIGIN };
    if (req.code === "foreign") {
      return { tokens: tokenPair("oauth"), frontendOrigin: "https://evil.example" };
    }
    throw domainError(Code.InvalidArgument, "INVALID_STATE", "unknown state");
  },
  refresh(req) {
    record("refresh", req);
    if (req.refreshToken === "refresh-old") return { tokens: tokenPair("rotated") };
    throw domainError(Code.Unauthenticated, "TOKEN_REVOKED", "token revoked");
  },
  logout(req) {
    record("logout", req);
    return {};
  },
  devLogin(req) {
    record("devLogin", req);
    return { tokens: tokenPair("dev") };
  },
  getJwks() {
    return {
      jwksJson: JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", kid: "k1", x: "AA" }] }),
    };
  },
});

const profile = {
  userId: "user-1",
  displayName: "이코",
  nickname: "이코",
  username: "이코",
  phoneNumber: "010-1234-5678",
  provider: "kakao",
  lastLoginAt: timestampFromDate(AT),
};

const myFake = defineService(MyService, {
  getProfile() {
    return { profile };
  },
  updateProfile(req) {
    record("updateProfile", req);
    return {
      profile: { ...profile, nickname: req.nickname ?? profile.nickname, phoneNumber: undefined },
    };
  },
  deleteAccount() {
    record("deleteAccount", {});
    return {};
  },
  listCharacters() {
    return {
      characters: [
        {
          id: "c-1",
          code: "char-eco",
          name: "이코",
          type: "기본",
          dialog: "안녕!",
          acquiredAt: timestampFromDate(AT),
        },
      ],
    };
  },
  // getCharacterOwnership is left out: UNIMPLEMENTED → 501.
});

const scanFake = defineService(ScanService, {
  submitScan(req) {
    record("submitScan", req);
    if (req.model === "gpt-0") {
      throw domainError(Code.InvalidArgument, "UNSUPPORTED_MODEL", "unsupported model: gpt-0");
    }
    return { jobId: "job-1", status: JobStatus.QUEUED };
  },
  listSupportedModels() {
    return { models: ["gpt-5.2", "gemini-3-flash-preview"], defaultModel: "gpt-5.2" };
  },
  getScanResult(req) {
    switch (req.jobId) {
      case "job-done":
        return {
          jobId: req.jobId,
          status: JobStatus.COMPLETED,
          pipelineResult: {
            classificationResult: {
              classification: {
                majorCategory: "재활용폐기물",
                middleCategory: "무색페트병",
                minorCategory: "",
              },
              situationTags: ["내용물_없음"],
              userInput: "",
            },
            disposalRules: { key: "pet", category: "재활용폐기물" },
            finalAnswer: {
              disposalSteps: [
                { key: "단계1", text: "헹궈요" },
                { key: "단계2", text: "라벨을 떼요" },
              ],
              insufficiencies: [],
              userAnswer: "잘했어요!",
            },
          },
          reward: {
            name: "페티",
            dialog: "투명하게!",
            matchReason: "무색페트병",
            type: "페트",
            isNew: true,
          },
        };
      case "job-running":
        return {
          jobId: req.jobId,
          status: JobStatus.PROCESSING,
          currentStage: "vision",
          progress: 25,
        };
      case "job-failed":
        return {
          jobId: req.jobId,
          status: JobStatus.FAILED,
          error: { code: "VISION_FAILED", message: "could not classify" },
        };
      default:
        throw domainError(Code.NotFound, "RESULT_NOT_FOUND", "result not found");
    }
  },
  listCategories() {
    return {
      categories: [
        { id: 1, name: "recyclable", displayName: "재활용폐기물", instructions: ["헹구기"] },
      ],
    };
  },
});

const characterFake = defineService(CharacterService, {
  listCatalog() {
    return {
      characters: [
        {
          id: "1",
          code: "char-eco",
          name: "이코",
          type: "AI 도우미",
          dialog: "찰칵!",
          matchLabel: "",
        },
        {
          id: "2",
          code: "char-petty",
          name: "페티",
          type: "페트",
          dialog: "헹궈요",
          matchLabel: "무색페트병",
        },
      ],
    };
  },
});

const locationFake = defineService(LocationService, {
  listCenters(req) {
    record("listCenters", req);
    return {
      entries: [
        {
          id: 7n,
          name: "알맹상점",
          source: "zerowaste",
          roadAddress: "서울 마포구",
          latitude: 37.55,
          longitude: 126.91,
          distanceKm: 0.42,
          distanceText: "420m",
          storeCategory: "refill_zero",
          pickupCategories: ["clear_pet"],
          isOpen: false,
        },
      ],
    };
  },
  getCenter(req) {
    if (req.id !== 7n) throw domainError(Code.NotFound, "LOCATION_NOT_FOUND", "location not found");
    return {
      center: {
        id: 7n,
        name: "알맹상점",
        source: "zerowaste",
        storeCategory: "refill_zero",
        pickupCategories: [],
        introduction: "리필",
      },
    };
  },
  // searchLocations and suggestPlaces are left out: UNIMPLEMENTED → 501.
});

const petGuide = {
  key: "재활용폐기물_무색페트병",
  category: "재활용폐기물",
  name: "무색페트병",
  summary: "비우고 라벨을 떼어 찌그러뜨린 뒤 뚜껑을 닫아 따로 냅니다.",
};

const infoFake = defineService(InfoService, {
  listNews(req) {
    record("listNews", req);
    return {
      articles: [
        {
          id: "naver_1",
          title: "분리배출 새 기준",
          url: "https://news.example/1",
          snippet: "…",
          source: "naver",
          sourceName: "환경일보",
          publishedAt: timestampFromDate(AT),
          category: "environment",
          keywords: [],
        },
      ],
      nextCursor: "1767323045000_naver_1",
      hasMore: true,
      totalCached: 120,
      cacheExpiresIn: 300,
    };
  },
  listNewsCategories() {
    return { categories: [{ id: "all", name: "전체" }] };
  },
  listGuides() {
    return { guides: [petGuide] };
  },
  getGuide(req) {
    record("getGuide", req);
    if (req.key !== petGuide.key) {
      throw domainError(Code.NotFound, "GUIDE_NOT_FOUND", "no disposal guide for that key");
    }
    return { summary: petGuide, document: { key: petGuide.key, 배출방법_공통: ["비웁니다"] } };
  },
  searchGuides(req) {
    record("searchGuides", req);
    if (!req.query.trim()) throw domainError(Code.InvalidArgument, "INVALID_QUERY", "query");
    if (req.query === "zzqxv") return { matches: [] };
    return { matches: [{ guide: petGuide, matchedItem: "pet bottle", score: 1 }] };
  },
});

const chatSummary = {
  id: CHAT_ID,
  title: "페트병",
  messageCount: 2,
  lastMessageAt: timestampFromDate(AT),
  createdAt: timestampFromDate(AT),
};

const chatFake = defineService(ChatService, {
  listChats(req) {
    record("listChats", req);
    return {
      chats: [
        chatSummary,
        { id: OTHER_CHAT_ID, messageCount: 0, createdAt: timestampFromDate(AT) },
      ],
    };
  },
  createChat(req) {
    record("createChat", req);
    return { chat: { id: CHAT_ID, title: req.title, createdAt: timestampFromDate(AT) } };
  },
  getChat(req) {
    record("getChat", req);
    if (req.chatId !== CHAT_ID)
      throw domainError(Code.NotFound, "CHAT_NOT_FOUND", "chat not found");
    return {
      chat: chatSummary,
      messages: [
        { id: "m1", role: "user", content: "페트병?", createdAt: timestampFromDate(AT) },
        {
          id: "m2",
          role: "assistant",
          content: "헹궈서 버려요",
          intent: "waste",
          metadata: { eval: { grade: "A" } },
          createdAt: timestampFromDate(AT),
        },
      ],
      hasMore: true,
      nextCursor: AT_ISO,
    };
  },
  renameChat(req) {
    record("renameChat", req);
    return {};
  },
  deleteChat(req) {
    record("deleteChat", req);
    return {};
  },
  sendMessage(req) {
    record("sendMessage", req);
    return { jobId: "job-9", status: "submitted" };
  },
  submitInput(req) {
    record("submitInput", req);
    return { status: "received", jobId: req.jobId };
  },
});

const imageFake = defineService(ImageService, {
  createUpload(req) {
    record("createUpload", req);
    return {
      key: `${req.channel}/abc.png`,
      uploadUrl: "http://localhost/media/upload?sig=x",
      cdnUrl: `http://localhost/media/${req.channel}/abc.png`,
      expiresIn: 900,
      requiredHeaders: { "Content-Type": req.contentType },
    };
  },
  completeUpload(req) {
    record("completeUpload", req);
    if (req.key === "scan/fake.jpg")
      throw domainError(Code.InvalidArgument, "UNSUPPORTED_MEDIA_TYPE", "declared jpeg, is png");
    if (req.key === "scan/bomb.png")
      throw domainError(Code.InvalidArgument, "IMAGE_TOO_LARGE", "over the pixel limit");
    if (req.channel !== "scan")
      throw domainError(Code.InvalidArgument, "CHANNEL_MISMATCH", "wrong channel");
    return {
      key: req.key,
      channel: req.channel,
      cdnUrl: `http://localhost/media/${req.key}`,
      uploaderId: "user-1",
      etag: req.etag,
      contentType: "image/png",
    };
  },
});

let server: RpcServer;
let clients: ServiceClients;
let fetchApp: (request: Request) => Promise<Response>;
let session: Awaited<ReturnType<typeof testSession>>;
let token: string;

beforeAll(async () => {
  server = createRpcServer({
    port: 0,
    services: [
      authFake,
      myFake,
      scanFake,
      characterFake,
      locationFake,
      infoFake,
      chatFake,
      imageFake,
    ],
    readiness: new Readiness(),
    log: silentLog,
  });
  await server.start();
  clients = createServiceClients({
    transport: "grpc-js",
    timeoutMs: 2000,
    address: () => `127.0.0.1:${server.port}`,
  });
  session = await testSession({ allowedOrigins: [DEV_ORIGIN] });
  token = await session.sign("user-1", "kakao");
  const app = createApp({
    clients,
    guard: session.guard,
    readiness: new Readiness(),
    log: silentLog,
    corsOrigins: [DEV_ORIGIN],
    hsts: false,
    auth: {
      frontendUrl: FRONTEND,
      cookie: { secure: true, domain: ".growbin.test" },
      devLogin: true,
    },
  });
  // One trusted proxy, as behind the ALB: the client is the last X-Forwarded-For entry it added.
  fetchApp = fetchWithContext(app, 1);
});

afterAll(async () => {
  clients.close();
  server.forceStop();
  await session.close();
});

// Always http://localhost: Elysia mis-slices shorter origins (STACK-FACTS G5). Signed in with a
// bearer token unless `anonymous` (or the caller sends its own credentials).
function call(
  method: string,
  path: string,
  init: {
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
    anonymous?: boolean;
  } = {},
) {
  const headers = new Headers(init.headers);
  if (!init.anonymous && !headers.has("authorization") && !headers.has("cookie")) {
    headers.set("authorization", `Bearer ${token}`);
  }
  let body = init.body;
  if (init.json !== undefined) body = JSON.stringify(init.json);
  if (body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  return fetchApp(new Request(`http://localhost${path}`, { method, body, headers }));
}

async function json(method: string, path: string, init?: Parameters<typeof call>[2]) {
  const response = await call(method, path, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

function cookieNamed(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

describe("OpenAPI document", () => {
  it("is valid OpenAPI 3.1 and lists every contract route", async () => {
    const { status, body: doc } = await json("GET", "/openapi/json");
    expect(status).toBe(200);
    expect(doc.openapi).toStartWith("3.1");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const route of [
      "GET /api/v1/auth/{provider}",
      "GET /api/v1/auth/{provider}/login",
      "GET /api/v1/auth/{provider}/authorize",
      "GET /api/v1/auth/{provider}/callback",
      "POST /api/v1/auth/refresh",
      "POST /api/v1/auth/logout",
      "POST /api/v1/auth/dev/login",
      "GET /api/v1/users/me",
      "PATCH /api/v1/users/me",
      "DELETE /api/v1/users/me",
      "GET /api/v1/users/me/characters",
      "GET /api/v1/users/me/characters/{character_name}/ownership",
      "POST /api/v1/scan",
      "GET /api/v1/scan/{job_id}/result",
      "GET /api/v1/scan/categories",
      "GET /api/v1/character/catalog",
      "GET /api/v1/locations/centers",
      "GET /api/v1/locations/search",
      "GET /api/v1/locations/suggest",
      "GET /api/v1/locations/centers/{center_id}",
      "GET /api/v1/info/news",
      "GET /api/v1/info/categories",
      "GET /api/v1/info/guides",
      "GET /api/v1/info/guides/{key}",
      "GET /api/v1/info/search",
      "GET /api/v1/chat",
      "POST /api/v1/chat",
      "GET /api/v1/chat/{chat_id}",
      "PATCH /api/v1/chat/{chat_id}",
      "DELETE /api/v1/chat/{chat_id}",
      "POST /api/v1/chat/{chat_id}/messages",
      "POST /api/v1/chat/{chat_id}/input",
      "POST /api/v1/images/{channel}",
      "POST /api/v1/images/{channel}/callback",
    ]) {
      expect(routes).toContain(route);
    }
  });
});

describe("auth routes", () => {
  it("A1 wraps the authorization URL in {success, data}; the query origin wins over the header", async () => {
    const { status, body } = await json(
      "GET",
      "/api/v1/auth/kakao?frontend_origin=http%3A%2F%2Fq.example&redirect_uri=https%3A%2F%2Fapi%2Fcb",
      {
        headers: { "x-frontend-origin": "http://h.example" },
      },
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      success: true,
      data: {
        provider: "kakao",
        state: "generated-state",
        authorization_url: "https://kauth.kakao.com/oauth/authorize?state=generated-state",
        expires_at: AT_ISO,
      },
    });
    expect(seen.getAuthorizationUrl).toMatchObject({
      provider: "kakao",
      frontendOrigin: "http://q.example",
      redirectUri: "https://api/cb",
    });
  });

  it("A1 /login takes the origin from X-Frontend-Origin; A2 answers unwrapped with the caller's state", async () => {
    await json("GET", "/api/v1/auth/google/login", {
      headers: { "x-frontend-origin": DEV_ORIGIN },
    });
    expect(seen.getAuthorizationUrl).toMatchObject({
      provider: "google",
      frontendOrigin: DEV_ORIGIN,
    });
    const { status, body } = await json("GET", "/api/v1/auth/naver/authorize?state=s-1");
    expect(status).toBe(200);
    expect(body).toEqual({
      authorization_url: "https://kauth.kakao.com/oauth/authorize?state=s-1",
      state: "s-1",
    });
  });

  it("refuses an unknown provider with 422 and a detail list", async () => {
    const { status, body } = await json("GET", "/api/v1/auth/github");
    expect(status).toBe(422);
    expect(body.code).toBe("VALIDATION_ERROR");
    expect(body.detail[0].loc).toEqual(["params", "provider"]);
  });

  it("A3 success: 302 to the stored origin's #/home with both session cookies", async () => {
    const response = await call("GET", "/api/v1/auth/kakao/callback?code=good&state=s-1", {
      headers: { "user-agent": "test-agent", "x-forwarded-for": "10.0.0.1, 203.0.113.9" },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${DEV_ORIGIN}/#/home`);
    const access = cookieNamed(response, "s_access");
    expect(access).toStartWith("s_access=access-oauth;");
    for (const attribute of [
      "HttpOnly",
      "Secure",
      "SameSite=Lax",
      "Path=/",
      "Domain=.growbin.test",
    ]) {
      expect(access).toContain(attribute);
    }
    const maxAge = Number(/Max-Age=(\d+)/.exec(access ?? "")?.[1]);
    expect(maxAge).toBeGreaterThan(890);
    expect(maxAge).toBeLessThanOrEqual(900);
    expect(cookieNamed(response, "s_refresh")).toStartWith("s_refresh=refresh-oauth;");
    expect(seen.completeOAuth).toMatchObject({
      provider: "kakao",
      code: "good",
      state: "s-1",
      clientIp: "203.0.113.9",
      userAgent: "test-agent",
    });
  });

  it("A3 never redirects to an origin outside the allow-list", async () => {
    const response = await call("GET", "/api/v1/auth/kakao/callback?code=foreign&state=s-1");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${FRONTEND}/#/home`);
  });

  it("A3 failure: 307 to the login screen and no cookies", async () => {
    const response = await call("GET", "/api/v1/auth/kakao/callback?code=bad&state=s-1");
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(`${FRONTEND}/#/login?error=oauth_failed`);
    expect(response.headers.getSetCookie()).toEqual([]);
    const swapped = await call("GET", "/api/v1/auth/kakao/callback?code=bad&state=s-1", {
      headers: { "x-frontend-origin": DEV_ORIGIN },
    });
    expect(swapped.headers.get("location")).toBe(`${DEV_ORIGIN}/#/login?error=oauth_failed`);
  });

  it("A3 without code or state is a 422", async () => {
    const { status, body } = await json("GET", "/api/v1/auth/kakao/callback?state=s-1");
    expect(status).toBe(422);
    expect(body.detail[0].loc).toEqual(["query", "code"]);
  });

  it("A4 refresh: 201, body null, rotated cookies", async () => {
    const response = await call("POST", "/api/v1/auth/refresh", {
      headers: { cookie: "s_refresh=refresh-old", origin: DEV_ORIGIN },
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe("null");
    expect(seen.refresh).toMatchObject({ refreshToken: "refresh-old" });
    expect(cookieNamed(response, "s_access")).toStartWith("s_access=access-rotated;");
    expect(cookieNamed(response, "s_refresh")).toStartWith("s_refresh=refresh-rotated;");
  });

  it("A4 takes the X-Refresh-Token header from non-browser clients and passes the service's 401 on", async () => {
    const { status, body } = await json("POST", "/api/v1/auth/refresh", {
      headers: { "x-refresh-token": "Bearer refresh-reused" },
    });
    expect(seen.refresh).toMatchObject({ refreshToken: "refresh-reused" });
    expect(status).toBe(401);
    expect(body).toEqual({ detail: "token revoked", code: "TOKEN_REVOKED" });
  });

  it("A4 without any refresh token is 401 before any service call", async () => {
    seen.refresh = undefined;
    const { status, body } = await json("POST", "/api/v1/auth/refresh", { anonymous: true });
    expect(status).toBe(401);
    expect(body).toEqual({ detail: "Refresh token is required", code: "REFRESH_TOKEN_REQUIRED" });
    expect(seen.refresh).toBeUndefined();
  });

  it("A5 logout revokes both tokens and deletes both cookies", async () => {
    const response = await call("POST", "/api/v1/auth/logout", {
      headers: { cookie: "s_access=access-x; s_refresh=refresh-x" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      success: true,
      data: { message: "Successfully logged out" },
    });
    expect(seen.logout).toMatchObject({ accessToken: "access-x", refreshToken: "refresh-x" });
    for (const name of ["s_access", "s_refresh"]) {
      const line = cookieNamed(response, name);
      expect(line).toStartWith(`${name}=;`);
      expect(line).toContain("Max-Age=0");
      expect(line).toContain("Domain=.growbin.test");
    }
  });

  it("dev login sets the cookies and returns the token pair for non-browser clients", async () => {
    const response = await call("POST", "/api/v1/auth/dev/login", { json: { nickname: "tester" } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      user_id: "user-1",
      provider: "kakao",
      token_type: "Bearer",
      access_token: "access-dev",
      refresh_token: "refresh-dev",
    });
    expect(Date.parse(body.access_expires_at)).toBeGreaterThan(Date.now());
    expect(seen.devLogin).toMatchObject({ nickname: "tester" });
    expect(cookieNamed(response, "s_access")).toStartWith("s_access=access-dev;");
  });

  it("dev login refuses invalid JSON with 400 and an empty nickname with 422", async () => {
    const broken = await json("POST", "/api/v1/auth/dev/login", { body: '{"nickname":' });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe("INVALID_BODY");
    const empty = await json("POST", "/api/v1/auth/dev/login", { json: { nickname: "" } });
    expect(empty.status).toBe(422);
    expect(empty.body.detail[0].loc).toEqual(["body", "nickname"]);
  });

  it("serves the JWK set", async () => {
    const { status, body, headers } = await json("GET", "/api/v1/auth/.well-known/jwks.json");
    expect(status).toBe(200);
    expect(body).toEqual({ keys: [{ kty: "OKP", crv: "Ed25519", kid: "k1", x: "AA" }] });
    expect(headers.get("cache-control")).toBe("public, max-age=300");
  });
});

describe("users routes", () => {
  it("U1 returns the profile with username", async () => {
    const { status, body } = await json("GET", "/api/v1/users/me");
    expect(status).toBe(200);
    expect(body).toEqual({
      display_name: "이코",
      nickname: "이코",
      username: "이코",
      phone_number: "010-1234-5678",
      provider: "kakao",
      last_login_at: AT_ISO,
    });
  });

  it("U2 forwards only what changes; a null phone number stays unset", async () => {
    const { status, body } = await json("PATCH", "/api/v1/users/me", {
      json: { nickname: "새이름", phone_number: null },
    });
    expect(status).toBe(200);
    expect(body.nickname).toBe("새이름");
    expect(body.phone_number).toBeNull();
    const request = seen.updateProfile as { nickname?: string; phoneNumber?: string };
    expect(request.nickname).toBe("새이름");
    expect(request.phoneNumber).toBeUndefined();
  });

  it("U2 refuses a nickname over 120 characters with 422", async () => {
    const { status, body } = await json("PATCH", "/api/v1/users/me", {
      json: { nickname: "x".repeat(121) },
    });
    expect(status).toBe(422);
    expect(body.detail[0].loc).toEqual(["body", "nickname"]);
  });

  it("U3 is a bare array; U4 answers 204 without a body", async () => {
    const list = await json("GET", "/api/v1/users/me/characters");
    expect(list.body).toEqual([
      {
        id: "c-1",
        code: "char-eco",
        name: "이코",
        type: "기본",
        dialog: "안녕!",
        acquired_at: AT_ISO,
      },
    ]);
    const deleted = await call("DELETE", "/api/v1/users/me");
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    expect(seen.deleteAccount).toBeDefined();
  });

  it("an RPC the service does not implement yet is 501", async () => {
    const { status, body } = await json(
      "GET",
      `/api/v1/users/me/characters/${encodeURIComponent("페티")}/ownership`,
    );
    expect(status).toBe(501);
    expect(body.code).toBe("UNIMPLEMENTED");
  });
});

describe("scan routes", () => {
  it("S1 queues the scan and returns the load-bearing URLs", async () => {
    const { status, body } = await json("POST", "/api/v1/scan", {
      json: { image_url: "http://localhost/media/scan/abc.png" },
      headers: { "x-idempotency-key": "k-1" },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      job_id: "job-1",
      stream_url: "/api/v1/scan/job-1/events",
      result_url: "/api/v1/scan/job-1/result",
      status: "queued",
    });
    expect(seen.submitScan).toMatchObject({
      imageUrl: "http://localhost/media/scan/abc.png",
      idempotencyKey: "k-1",
    });
  });

  it("S1 without image_url is 400 IMAGE_URL_REQUIRED; a malformed URL is 422", async () => {
    const missing = await json("POST", "/api/v1/scan", { json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ detail: "image_url is required", code: "IMAGE_URL_REQUIRED" });
    const malformed = await json("POST", "/api/v1/scan", { json: { image_url: "not a url" } });
    expect(malformed.status).toBe(422);
    expect(malformed.body.detail[0].loc).toEqual(["body", "image_url"]);
  });

  it("S1 with an unsupported model lists the supported ones", async () => {
    const { status, body } = await json("POST", "/api/v1/scan", {
      json: { image_url: "http://localhost/media/scan/abc.png", model: "gpt-0" },
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      detail: {
        error: "unsupported_model",
        message: "unsupported model: gpt-0",
        supported_models: ["gpt-5.2", "gemini-3-flash-preview"],
      },
      code: "UNSUPPORTED_MODEL",
    });
  });

  it("S2 completed: the reward stage's exact structure", async () => {
    const { status, body } = await json("GET", "/api/v1/scan/job-done/result");
    expect(status).toBe(200);
    expect(body).toEqual({
      task_id: "job-done",
      status: "completed",
      message: "classification completed",
      pipeline_result: {
        classification_result: {
          classification: {
            major_category: "재활용폐기물",
            middle_category: "무색페트병",
            minor_category: null,
          },
          situation_tags: ["내용물_없음"],
          meta: { user_input: "" },
        },
        disposal_rules: { key: "pet", category: "재활용폐기물" },
        final_answer: {
          disposal_steps: { 단계1: "헹궈요", 단계2: "라벨을 떼요" },
          insufficiencies: [],
          user_answer: "잘했어요!",
        },
      },
      reward: {
        name: "페티",
        dialog: "투명하게!",
        match_reason: "무색페트병",
        type: "페트",
        is_new: true,
      },
      error: null,
    });
  });

  it("S2 while running is 202 with Retry-After; a failed job is a terminal 200", async () => {
    const running = await json("GET", "/api/v1/scan/job-running/result");
    expect(running.status).toBe(202);
    expect(running.headers.get("retry-after")).toBe("2");
    expect(running.body).toEqual({
      status: "processing",
      message: "결과 준비 중입니다.",
      current_stage: "vision",
      progress: 25,
    });
    const failed = await json("GET", "/api/v1/scan/job-failed/result");
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      task_id: "job-failed",
      status: "failed",
      pipeline_result: null,
      reward: null,
      error: { code: "VISION_FAILED", message: "could not classify" },
    });
  });

  it("S2 for an unknown job passes the service's 404 domain code on", async () => {
    const { status, body } = await json("GET", "/api/v1/scan/job-unknown/result");
    expect(status).toBe(404);
    expect(body).toEqual({ detail: "result not found", code: "RESULT_NOT_FOUND" });
  });

  it("S3 lists the categories as a bare array", async () => {
    const { body } = await json("GET", "/api/v1/scan/categories");
    expect(body).toEqual([
      { id: 1, name: "recyclable", display_name: "재활용폐기물", instructions: ["헹구기"] },
    ]);
  });
});

describe("character routes", () => {
  it("lists the catalog with match null for the default character", async () => {
    const { status, body } = await json("GET", "/api/v1/character/catalog");
    expect(status).toBe(200);
    expect(body).toEqual([
      { name: "이코", type: "AI 도우미", dialog: "찰칵!", match: null },
      { name: "페티", type: "페트", dialog: "헹궈요", match: "무색페트병" },
    ]);
  });
});

describe("locations routes", () => {
  it("L1 forwards the point, zoom and csv filters and returns a bare array of entries", async () => {
    const { status, body } = await json(
      "GET",
      "/api/v1/locations/centers?lat=37.5&lon=126.9&zoom=4&store_category=refill_zero,cafe_bakery&pickup_category=all",
    );
    expect(status).toBe(200);
    expect(seen.listCenters).toMatchObject({
      latitude: 37.5,
      longitude: 126.9,
      zoom: 4,
      storeCategories: ["refill_zero", "cafe_bakery"],
      pickupCategories: [],
    });
    expect((seen.listCenters as { radius?: number }).radius).toBeUndefined();
    expect(body).toEqual([
      {
        id: 7,
        name: "알맹상점",
        source: "zerowaste",
        road_address: "서울 마포구",
        latitude: 37.55,
        longitude: 126.91,
        distance_km: 0.42,
        distance_text: "420m",
        store_category: "refill_zero",
        pickup_categories: ["clear_pet"],
        is_holiday: null,
        is_open: false,
        start_time: null,
        end_time: null,
        phone: null,
        place_url: null,
        kakao_place_id: null,
      },
    ]);
  });

  // Elysia coerces numeric query strings and reports a range failure without the field's path
  // (loc ["property"]), so these match the message, which names the violated bound.
  for (const [query, hint] of [
    ["lat=91&lon=126.9", "less or equal to 90"],
    ["lat=37.5&lon=-181", "greater or equal to -180"],
    ["lat=37.5&lon=126.9&radius=99", "greater or equal to 100"],
    ["lat=37.5&lon=126.9&radius=50001", "less or equal to 50000"],
    ["lat=37.5&lon=126.9&zoom=21", "less or equal to 20"],
    ["lat=37.5&lon=126.9&zoom=0", "greater or equal to 1"],
    ["lon=126.9", "lat"],
  ] as const) {
    it(`L1 refuses ${query} with 422 (${hint})`, async () => {
      const { status, body } = await json("GET", `/api/v1/locations/centers?${query}`);
      expect(status).toBe(422);
      expect(body.code).toBe("VALIDATION_ERROR");
      const issues = body.detail as { loc: unknown[]; msg: string }[];
      expect(issues.map((issue) => `${issue.loc.join(".")} ${issue.msg}`).join("; ")).toContain(
        hint,
      );
    });
  }

  it("L4 returns one site, and the service's LOCATION_NOT_FOUND as 404", async () => {
    const found = await json("GET", "/api/v1/locations/centers/7");
    expect(found.body).toMatchObject({
      id: 7,
      name: "알맹상점",
      lot_address: null,
      introduction: "리필",
    });
    const missing = await json("GET", "/api/v1/locations/centers/8");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("LOCATION_NOT_FOUND");
    for (const bad of ["abc", "0x10", "1e3", "7.5", "%207"]) {
      const notNumber = await json("GET", `/api/v1/locations/centers/${bad}`);
      expect(notNumber.status).toBe(422);
      expect(notNumber.body.code).toBe("VALIDATION_ERROR");
    }
    // Past int64: no site can have it (before, protobuf encoding failed with a 500).
    for (const big of ["9223372036854775808", "-9223372036854775809", "99999999999999999999"]) {
      const tooBig = await json("GET", `/api/v1/locations/centers/${big}`);
      expect(tooBig.status).toBe(404);
      expect(tooBig.body.code).toBe("LOCATION_NOT_FOUND");
    }
  });

  it("L2 validates before calling the (not yet built) service", async () => {
    expect((await json("GET", "/api/v1/locations/search?q=")).status).toBe(422);
    expect((await json("GET", "/api/v1/locations/search?q=강남역&radius=30000")).status).toBe(422);
    expect(
      (await json("GET", `/api/v1/locations/search?q=${encodeURIComponent("강남역")}`)).status,
    ).toBe(501);
  });
});

describe("info routes", () => {
  it("N1 forwards the filters and returns the page with meta", async () => {
    const { status, body } = await json(
      "GET",
      "/api/v1/info/news?category=environment&limit=5&has_image=true&cursor=1767323045000",
    );
    expect(status).toBe(200);
    expect(seen.listNews).toMatchObject({
      category: "environment",
      source: "all",
      limit: 5,
      hasImage: true,
      cursor: "1767323045000",
    });
    expect(body).toEqual({
      articles: [
        {
          id: "naver_1",
          title: "분리배출 새 기준",
          url: "https://news.example/1",
          snippet: "…",
          source: "naver",
          source_name: "환경일보",
          published_at: AT_ISO,
          thumbnail_url: null,
          category: "environment",
          source_icon_url: null,
          video_url: null,
          keywords: null,
          ai_tag: null,
        },
      ],
      next_cursor: "1767323045000_naver_1",
      has_more: true,
      meta: { total_cached: 120, cache_expires_in: 300 },
    });
  });

  it("N1 defaults to category all and limit 10", async () => {
    await json("GET", "/api/v1/info/news");
    expect(seen.listNews).toMatchObject({ category: "all", source: "all", limit: 10 });
  });

  it("N1 accepts source=rss (A.13) and passes a keyset cursor through", async () => {
    const { status } = await json(
      "GET",
      "/api/v1/info/news?source=rss&cursor=1767323045000_rss_ab_c",
    );
    expect(status).toBe(200);
    expect(seen.listNews).toMatchObject({ source: "rss", cursor: "1767323045000_rss_ab_c" });
  });

  for (const [query, code] of [
    ["category=sports", "INVALID_CATEGORY"],
    ["source=google", "INVALID_SOURCE"],
    ["cursor=yesterday", "INVALID_CURSOR_FORMAT"],
  ] as const) {
    it(`N1 answers ${query} with 400 ${code}`, async () => {
      const { status, body } = await json("GET", `/api/v1/info/news?${query}`);
      expect(status).toBe(400);
      expect(body.code).toBe(code);
      expect(typeof body.detail).toBe("string");
    });
  }

  it("N1 limit above 50 is 422; N2 lists the categories", async () => {
    expect((await json("GET", "/api/v1/info/news?limit=51")).status).toBe(422);
    const { body } = await json("GET", "/api/v1/info/categories");
    expect(body).toEqual({ categories: [{ id: "all", name: "전체" }] });
  });

  it("A.8 lists the guides with their one-line summaries", async () => {
    const { status, body } = await json("GET", "/api/v1/info/guides");
    expect(status).toBe(200);
    expect(body).toEqual({ guides: [petGuide] });
  });

  it("A.8 serves one guide by its (percent-encoded Korean) key with the full document", async () => {
    const { status, body } = await json(
      "GET",
      `/api/v1/info/guides/${encodeURIComponent(petGuide.key)}`,
    );
    expect(status).toBe(200);
    expect(seen.getGuide).toMatchObject({ key: petGuide.key });
    expect(body).toEqual({
      ...petGuide,
      document: { key: petGuide.key, 배출방법_공통: ["비웁니다"] },
    });
  });

  it("A.8 answers an unknown guide key with 404 GUIDE_NOT_FOUND", async () => {
    const { status, body } = await json("GET", "/api/v1/info/guides/nope");
    expect(status).toBe(404);
    expect(body).toEqual({ detail: "no disposal guide for that key", code: "GUIDE_NOT_FOUND" });
  });

  it("A.8 search maps matches, answers nonsense with an empty list and bad input with 4xx", async () => {
    const { status, body } = await json("GET", "/api/v1/info/search?q=pet%20bottle");
    expect(status).toBe(200);
    expect(seen.searchGuides).toMatchObject({ query: "pet bottle" });
    expect(body).toEqual({
      query: "pet bottle",
      matches: [{ ...petGuide, matched_item: "pet bottle", score: 1 }],
    });
    expect((await json("GET", "/api/v1/info/search?q=zzqxv")).body).toEqual({
      query: "zzqxv",
      matches: [],
    });
    expect((await json("GET", "/api/v1/info/search?q=")).status).toBe(422);
    expect((await json("GET", `/api/v1/info/search?q=${"x".repeat(101)}`)).status).toBe(422);
    const blank = await json("GET", "/api/v1/info/search?q=%20%20");
    expect(blank.status).toBe(400);
    expect(blank.body.code).toBe("INVALID_QUERY");
  });
});

describe("chat routes", () => {
  it("C1 lists chats with nulls for what is unset", async () => {
    const { status, body } = await json("GET", "/api/v1/chat?limit=1");
    expect(status).toBe(200);
    expect(seen.listChats).toMatchObject({ limit: 1, cursor: "" });
    expect(body).toEqual({
      chats: [
        {
          id: CHAT_ID,
          title: "페트병",
          preview: null,
          message_count: 2,
          last_message_at: AT_ISO,
          created_at: AT_ISO,
        },
        {
          id: OTHER_CHAT_ID,
          title: null,
          preview: null,
          message_count: 0,
          last_message_at: null,
          created_at: AT_ISO,
        },
      ],
      next_cursor: null,
    });
    expect((await json("GET", "/api/v1/chat?limit=101")).status).toBe(422);
  });

  it("C2 creates a chat with 201 when the client posts no body", async () => {
    const { status, body } = await json("POST", "/api/v1/chat");
    expect(status).toBe(201);
    expect(body).toEqual({ id: CHAT_ID, title: null, created_at: AT_ISO });
    await json("POST", "/api/v1/chat", { json: { title: "분리배출" } });
    expect(seen.createChat).toMatchObject({ title: "분리배출" });
  });

  it("C3 returns the messages page", async () => {
    const { status, body } = await json("GET", `/api/v1/chat/${CHAT_ID}?limit=5`);
    expect(status).toBe(200);
    expect(seen.getChat).toMatchObject({ chatId: CHAT_ID, limit: 5 });
    expect(body).toEqual({
      id: CHAT_ID,
      title: "페트병",
      messages: [
        {
          id: "m1",
          role: "user",
          content: "페트병?",
          image_url: null,
          intent: null,
          metadata: null,
          created_at: AT_ISO,
        },
        {
          id: "m2",
          role: "assistant",
          content: "헹궈서 버려요",
          image_url: null,
          intent: "waste",
          metadata: { eval: { grade: "A" } },
          created_at: AT_ISO,
        },
      ],
      has_more: true,
      next_cursor: AT_ISO,
      created_at: AT_ISO,
    });
  });

  it("C3 with a chat_id that is no UUID is 422", async () => {
    const { status, body } = await json("GET", "/api/v1/chat/not-a-uuid");
    expect(status).toBe(422);
    expect(body.code).toBe("VALIDATION_ERROR");
    expect(body.detail[0].loc).toEqual(["params", "chat_id"]);
  });

  it("C3 for someone else's or an unknown chat passes the service's 404 CHAT_NOT_FOUND on", async () => {
    const { status, body } = await json("GET", `/api/v1/chat/${OTHER_CHAT_ID}`);
    expect(status).toBe(404);
    expect(body).toEqual({ detail: "chat not found", code: "CHAT_NOT_FOUND" });
  });

  it("C4 and C5 answer 204", async () => {
    const renamed = await call("PATCH", `/api/v1/chat/${CHAT_ID}`, { json: { title: "새 제목" } });
    expect(renamed.status).toBe(204);
    expect(seen.renameChat).toMatchObject({ chatId: CHAT_ID, title: "새 제목" });
    const deleted = await call("DELETE", `/api/v1/chat/${CHAT_ID}`);
    expect(deleted.status).toBe(204);
    expect(seen.deleteChat).toMatchObject({ chatId: CHAT_ID });
  });

  it("C6 submits the message and answers the stream URL", async () => {
    const { status, body } = await json("POST", `/api/v1/chat/${CHAT_ID}/messages`, {
      json: {
        message: "이거 어떻게 버려?",
        user_location: { latitude: 37.5, longitude: 127 },
        model: "gpt-5.2",
      },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      job_id: "job-9",
      stream_url: "/api/v1/chat/job-9/events",
      status: "submitted",
    });
    expect(seen.sendMessage).toMatchObject({
      chatId: CHAT_ID,
      message: "이거 어떻게 버려?",
      userLocation: { latitude: 37.5, longitude: 127 },
      model: "gpt-5.2",
    });
  });

  it("C6 with a blank message is 400 MESSAGE_REQUIRED; invalid JSON is 400 INVALID_BODY", async () => {
    const blank = await json("POST", `/api/v1/chat/${CHAT_ID}/messages`, {
      json: { message: "   " },
    });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({ detail: "message must not be blank", code: "MESSAGE_REQUIRED" });
    const broken = await json("POST", `/api/v1/chat/${CHAT_ID}/messages`, { body: "{not json" });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe("INVALID_BODY");
    const outOfRange = await json("POST", `/api/v1/chat/${CHAT_ID}/messages`, {
      json: { message: "hi", user_location: { latitude: 100, longitude: 0 } },
    });
    expect(outOfRange.status).toBe(422);
  });

  it("C7 passes the job's input on", async () => {
    const { status, body } = await json("POST", "/api/v1/chat/job-9/input", {
      json: { type: "cancel" },
    });
    expect(status).toBe(200);
    expect(body).toEqual({ status: "received", job_id: "job-9" });
    expect(seen.submitInput).toMatchObject({ jobId: "job-9", type: "cancel" });
    expect(
      (await json("POST", "/api/v1/chat/job-9/input", { json: { type: "launch" } })).status,
    ).toBe(422);
  });
});

describe("images routes", () => {
  it("I1 returns the signed upload", async () => {
    const { status, body } = await json("POST", "/api/v1/images/scan", {
      json: { filename: "photo.PNG", content_type: "image/png" },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      key: "scan/abc.png",
      upload_url: "http://localhost/media/upload?sig=x",
      cdn_url: "http://localhost/media/scan/abc.png",
      expires_in: 900,
      required_headers: { "Content-Type": "image/png" },
    });
    expect(seen.createUpload).toMatchObject({
      channel: "scan",
      filename: "photo.PNG",
      contentType: "image/png",
    });
  });

  it("I1 defaults the content type and refuses an unknown channel with 422", async () => {
    await json("POST", "/api/v1/images/chat", { json: { filename: "a" } });
    expect(seen.createUpload).toMatchObject({
      channel: "chat",
      contentType: "application/octet-stream",
    });
    const { status, body } = await json("POST", "/api/v1/images/avatar", {
      json: { filename: "a.png" },
    });
    expect(status).toBe(422);
    expect(body.detail[0].loc).toEqual(["params", "channel"]);
  });

  it("I3 confirms an upload and passes CHANNEL_MISMATCH on as 400", async () => {
    const ok = await json("POST", "/api/v1/images/scan/callback", {
      json: { key: "scan/abc.png", etag: "e1", content_length: 1234 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      key: "scan/abc.png",
      channel: "scan",
      cdn_url: "http://localhost/media/scan/abc.png",
      uploader_id: "user-1",
      metadata: {},
      etag: "e1",
      content_type: "image/png",
    });
    expect((seen.completeUpload as { contentLength: bigint }).contentLength).toBe(1234n);
    const wrong = await json("POST", "/api/v1/images/my/callback", {
      json: { key: "scan/abc.png", etag: "e1" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe("CHANNEL_MISMATCH");
  });

  it("I3 passes the image refusals on as 415 and 413 with their codes", async () => {
    const fake = await json("POST", "/api/v1/images/scan/callback", {
      json: { key: "scan/fake.jpg", etag: "e1" },
    });
    expect(fake.status).toBe(415);
    expect(fake.body).toEqual({ detail: "declared jpeg, is png", code: "UNSUPPORTED_MEDIA_TYPE" });
    const bomb = await json("POST", "/api/v1/images/scan/callback", {
      json: { key: "scan/bomb.png", etag: "e1" },
    });
    expect(bomb.status).toBe(413);
    expect(bomb.body.code).toBe("IMAGE_TOO_LARGE");
  });
});
