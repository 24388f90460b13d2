// Kakao Local keyword search (GET /v2/local/search/keyword.json, `Authorization: KakaoAK <key>`),
// used by /search, /suggest and the detail match when a key is configured (CONTRACT §3.4).
/** The location settings Kakao needs (declared in the component catalog). */
export interface KakaoSettings {
  readonly KAKAO_REST_API_KEY: string | undefined;
  readonly KAKAO_LOCAL_BASE_URL: string;
  readonly KAKAO_TIMEOUT_MS: number;
}

/** A place as Kakao returns it (coordinates are strings there; parsed here). */
export interface KakaoPlace {
  readonly id: string;
  readonly name: string;
  readonly address: string | null;
  readonly roadAddress: string | null;
  readonly latitude: number;
  readonly longitude: number;
  readonly phone: string | null;
  readonly placeUrl: string | null;
}

export interface KeywordSearch {
  readonly query: string;
  readonly size: number;
  readonly sort?: "accuracy" | "distance";
  /** Search around this point, within radiusM (Kakao allows at most 20,000 m). */
  readonly around?: { latitude: number; longitude: number; radiusM: number };
}

export interface KakaoClient {
  keyword(search: KeywordSearch): Promise<KakaoPlace[]>;
}

/** KakaoUnavailableError: Kakao could not answer (timeout, refusal, bad answer). */
export class KakaoUnavailableError extends Error {
  override readonly name = "KakaoUnavailableError";
}

interface KakaoDocument {
  id?: string;
  place_name?: string;
  address_name?: string;
  road_address_name?: string;
  x?: string;
  y?: string;
  phone?: string;
  place_url?: string;
}

const orNull = (value: string | undefined) => (value && value.trim() !== "" ? value : null);

function toPlace(doc: KakaoDocument): KakaoPlace | undefined {
  const latitude = Number(doc.y);
  const longitude = Number(doc.x);
  if (!doc.id || !doc.place_name || !Number.isFinite(latitude) || !Number.isFinite(longitude)) {
    return undefined;
  }
  return {
    id: doc.id,
    name: doc.place_name,
    address: orNull(doc.address_name),
    roadAddress: orNull(doc.road_address_name),
    latitude,
    longitude,
    phone: orNull(doc.phone),
    placeUrl: orNull(doc.place_url),
  };
}

/** kakaoFromSettings gives the Kakao client when a key is configured, else undefined. */
export function kakaoFromSettings(settings: KakaoSettings): KakaoClient | undefined {
  if (!settings.KAKAO_REST_API_KEY) return undefined;
  return createKakaoClient({
    apiKey: settings.KAKAO_REST_API_KEY,
    baseUrl: settings.KAKAO_LOCAL_BASE_URL,
    timeoutMs: settings.KAKAO_TIMEOUT_MS,
  });
}

export function createKakaoClient(options: {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
}): KakaoClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  return {
    async keyword(search) {
      const url = new URL(`${base}/v2/local/search/keyword.json`);
      url.searchParams.set("query", search.query);
      url.searchParams.set("size", String(search.size));
      url.searchParams.set("sort", search.sort ?? "accuracy");
      if (search.around) {
        url.searchParams.set("x", String(search.around.longitude));
        url.searchParams.set("y", String(search.around.latitude));
        url.searchParams.set("radius", String(Math.min(20000, Math.round(search.around.radiusM))));
      }
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { authorization: `KakaoAK ${options.apiKey}` },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        throw new KakaoUnavailableError(`Kakao Local did not answer: ${(err as Error).message}`);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new KakaoUnavailableError(`Kakao Local answered ${response.status}`);
      }
      const body = (await response.json().catch(() => undefined)) as
        | { documents?: KakaoDocument[] }
        | undefined;
      if (!body || !Array.isArray(body.documents)) {
        throw new KakaoUnavailableError("Kakao Local answered without documents");
      }
      return body.documents.map(toPlace).filter((p): p is KakaoPlace => p !== undefined);
    },
  };
}
