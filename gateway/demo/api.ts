// The page's only way to the API: same-origin fetches that carry the session cookies, exactly as
// the real client does (CONTRACT §2.1), with one refresh-and-replay on a 401.

/** Korean words for the error codes a person can meet here; anything else shows its detail. */
const MESSAGES: Record<string, string> = {
  MISSING_TOKEN: "로그인이 필요해요.",
  INVALID_TOKEN: "로그인이 만료됐어요. 다시 로그인해 주세요.",
  TOKEN_EXPIRED: "로그인이 만료됐어요. 다시 로그인해 주세요.",
  TOKEN_REVOKED: "로그아웃된 세션이에요. 다시 로그인해 주세요.",
  CSRF_ORIGIN_REJECTED: "허용되지 않은 곳에서 온 요청이라 막았어요.",
  RATE_LIMITED: "요청이 너무 많아요. 잠시 후 다시 시도해 주세요.",
  NOT_FOUND: "찾을 수 없어요.",
  USER_NOT_FOUND: "사용자를 찾을 수 없어요.",
  NO_CHANGES_PROVIDED: "바꿀 내용이 없어요.",
  INVALID_FILE_TYPE: "이미지 파일만 올릴 수 있어요.",
  INTERNAL_ERROR: "서버에 문제가 생겼어요. 잠시 후 다시 시도해 주세요.",
  VALIDATION: "입력값을 확인해 주세요.",
  VALIDATION_ERROR: "입력값을 확인해 주세요.",
  INVALID_BODY: "입력값을 확인해 주세요.",
  PAYLOAD_TOO_LARGE: "파일이 너무 커요.",
  UNSUPPORTED_MEDIA_TYPE: "지원하지 않는 파일 형식이에요.",
  IMAGE_URL_REQUIRED: "사진을 먼저 올려 주세요.",
  RESULT_NOT_FOUND: "스캔 결과를 찾을 수 없어요.",
  KAKAO_API_UNAVAILABLE: "장소 검색 서비스를 지금 쓸 수 없어요.",
  SERVICE_UNAVAILABLE: "서버가 잠시 응답하지 않아요. 잠시 후 다시 시도해 주세요.",
  UNAVAILABLE: "서버가 잠시 응답하지 않아요. 잠시 후 다시 시도해 주세요.",
};

/** ApiFailure is a refused or failed call, with a message fit to show a person. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** readableError turns an error body ({detail, code}, a 422 list or plain text) into Korean. */
export function readableError(status: number, body: unknown): ApiFailure {
  const { code, detail } = errorFields(body);
  const known = code ? MESSAGES[code] : undefined;
  const fallback = status >= 500 ? "서버에 문제가 생겼어요." : "요청을 처리하지 못했어요.";
  const message = known ?? (detail ? `${fallback} (${detail})` : `${fallback} (HTTP ${status})`);
  return new ApiFailure(status, code ?? `HTTP_${status}`, message);
}

function errorFields(body: unknown): { code?: string; detail?: string } {
  if (typeof body === "string") return { detail: body.slice(0, 200) || undefined };
  if (!body || typeof body !== "object") return {};
  const { code, detail } = body as { code?: unknown; detail?: unknown };
  return {
    code: typeof code === "string" ? code : undefined,
    detail: describeDetail(detail),
  };
}

/** A detail may be a sentence, a validation list or an object with a message (S1's model error). */
function describeDetail(detail: unknown): string | undefined {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((item) => item?.msg ?? "").join(", ") || undefined;
  if (detail && typeof detail === "object" && "message" in detail) return String(detail.message);
  return undefined;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(method: string, path: string, json?: unknown): Promise<Response> {
  return fetch(path, {
    method,
    credentials: "same-origin",
    headers: json === undefined ? {} : { "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

/** refresh rotates the session cookies; false when there is no session to refresh. */
export async function refresh(): Promise<boolean> {
  const response = await send("POST", "/api/v1/auth/refresh");
  return response.status === 201;
}

/** call sends one API request and returns its JSON body, or throws an ApiFailure. */
export async function call<T>(method: string, path: string, json?: unknown): Promise<T> {
  let response = await send(method, path, json);
  if (response.status === 401 && !path.startsWith("/api/v1/auth/") && (await refresh())) {
    response = await send(method, path, json);
  }
  const body = await readBody(response);
  if (!response.ok) throw readableError(response.status, body);
  return body as T;
}

/** messageOf is what to show a person for anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiFailure) return err.message;
  if (err instanceof TypeError) return "서버에 연결할 수 없어요. 네트워크를 확인해 주세요.";
  return "알 수 없는 문제가 생겼어요.";
}
