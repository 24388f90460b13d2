/** Limits of one outbound fetch: no feed or API may hold a collection up or fill the memory. */
export interface FetchLimits {
  /** The whole exchange, headers and body, must finish within this. */
  readonly timeoutMs: number;
  /** A body longer than this is refused (read up to the limit, then dropped). */
  readonly maxBytes: number;
  /** Aborts every fetch at once (the process is stopping). */
  readonly signal?: AbortSignal;
}

export interface FetchedText {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** With redirect "manual": where a 3xx answer points (the body is not read); else null. */
  readonly location: string | null;
}

/** FetchTooLargeError: the body passed FetchLimits.maxBytes. */
export class FetchTooLargeError extends Error {
  override readonly name = "FetchTooLargeError";
}

/**
 * fetchBounded GETs a URL as text within the limits, and rejects on a non-2xx answer, a timeout
 * (the body read included, which `fetch`'s own signal alone would not bound by size) or an
 * oversized body.
 */
export async function fetchBounded(
  url: string,
  limits: FetchLimits,
  headers: Record<string, string> = {},
  redirect: "follow" | "manual" = "follow",
): Promise<FetchedText> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
  // Errors name the host and path only: query strings may carry API keys (NewsData's apikey).
  const where = `${new URL(url).host}${new URL(url).pathname}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal, redirect });
  } catch (err) {
    throw new Error(`GET ${where} failed: ${(err as Error).name}`);
  }
  const location = response.headers.get("location");
  if (redirect === "manual" && response.status >= 300 && response.status < 400 && location) {
    await response.body?.cancel().catch(() => {});
    return { status: response.status, contentType: "", text: "", location };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`GET ${where} answered ${response.status}`);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new FetchTooLargeError(`body of ${declared} bytes exceeds ${limits.maxBytes}`);
  }
  const contentType = response.headers.get("content-type") ?? "";
  let body: Uint8Array;
  try {
    body = await readCapped(response, limits.maxBytes);
  } catch (err) {
    if (err instanceof FetchTooLargeError) throw err;
    throw new Error(`GET ${where} body failed: ${(err as Error).name}`);
  }
  const text = decodeText(body, contentType);
  return { status: response.status, contentType, text, location: null };
}

// Reads the body chunk by chunk so a server that lies about (or omits) its length still stops at
// the cap.
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new FetchTooLargeError(`body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

// Many Korean feeds are still EUC-KR: the charset comes from the header or the XML declaration;
// one the runtime cannot decode falls back to UTF-8 rather than failing the feed.
function decodeText(body: Uint8Array, contentType: string): string {
  const prolog = new TextDecoder("latin1").decode(body.subarray(0, 200));
  const charset =
    /charset=["']?([\w-]+)/i.exec(contentType)?.[1] ??
    /<\?xml[^>]*encoding=["']([\w-]+)["']/i.exec(prolog)?.[1] ??
    "utf-8";
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder().decode(body);
  }
}
