import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/**
 * A test-only S3 stand-in: a loopback HTTP server speaking the S3 REST wire format, path style,
 * for PutObject, GetObject, HeadObject and DeleteObject on one bucket. Every request must carry a
 * valid AWS Signature V4 (Authorization header or presigned query) for the fake's credentials,
 * checked in full and for expiry, so a client that signs wrongly fails here as it would on S3.
 */
export interface FakeS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Requests refused for their signature, by S3 error code. */
  readonly refusals: string[];
  close(): Promise<void>;
}

interface Stored {
  body: Buffer;
  contentType: string;
  etag: string;
  modified: Date;
}

export async function startFakeS3(): Promise<FakeS3> {
  const bucket = "eco2-test";
  const region = "us-east-1";
  const credentials = { accessKeyId: "AKIAFAKEECO2", secretAccessKey: "fake-secret-for-tests" };
  const objects = new Map<string, Stored>();
  const refusals: string[] = [];

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://fake");
    const refusal = checkSignature(req, url, body, credentials.secretAccessKey);
    if (refusal) {
      refusals.push(refusal);
      return xmlError(res, 403, refusal, req.method === "HEAD");
    }
    const [, bucketName, ...rest] = url.pathname.split("/");
    const key = rest.map(decodeURIComponent).join("/");
    if (bucketName !== bucket) return xmlError(res, 404, "NoSuchBucket", req.method === "HEAD");
    switch (req.method) {
      case "PUT": {
        const etag = `"${createHash("md5").update(body).digest("hex")}"`;
        objects.set(key, {
          body,
          contentType: req.headers["content-type"] ?? "binary/octet-stream",
          etag,
          modified: new Date(),
        });
        res.writeHead(200, { etag }).end();
        return;
      }
      case "GET":
      case "HEAD": {
        const found = objects.get(key);
        if (!found) return xmlError(res, 404, "NoSuchKey", req.method === "HEAD");
        res.writeHead(200, {
          "content-type": found.contentType,
          "content-length": String(found.body.length),
          etag: found.etag,
          "last-modified": found.modified.toUTCString(),
        });
        res.end(req.method === "GET" ? found.body : undefined);
        return;
      }
      case "DELETE":
        objects.delete(key);
        res.writeHead(204).end();
        return;
      default:
        return xmlError(res, 405, "MethodNotAllowed", false);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region,
    credentials,
    refusals,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function xmlError(res: ServerResponse, status: number, code: string, head: boolean): void {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(
    head ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`,
  );
}

/** checkSignature returns an S3 error code when the request's SigV4 signature is not valid. */
function checkSignature(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  secret: string,
): string | undefined {
  const query = url.searchParams;
  const presigned = query.get("X-Amz-Algorithm") === "AWS4-HMAC-SHA256";
  let credential: string;
  let signedHeaders: string;
  let signature: string;
  let amzDate: string;
  let payloadHash: string;
  if (presigned) {
    credential = query.get("X-Amz-Credential") ?? "";
    signedHeaders = query.get("X-Amz-SignedHeaders") ?? "";
    signature = query.get("X-Amz-Signature") ?? "";
    amzDate = query.get("X-Amz-Date") ?? "";
    payloadHash = "UNSIGNED-PAYLOAD";
    const expires = Number(query.get("X-Amz-Expires"));
    if (Date.now() > parseAmzDate(amzDate) + expires * 1000) return "AccessDenied";
  } else {
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=(\w+)$/.exec(
        req.headers.authorization ?? "",
      );
    if (!auth) return "AccessDenied";
    [, credential = "", signedHeaders = "", signature = ""] = auth;
    amzDate = String(req.headers["x-amz-date"] ?? "");
    payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
    if (
      payloadHash !== "UNSIGNED-PAYLOAD" &&
      payloadHash !== createHash("sha256").update(body).digest("hex")
    ) {
      return "XAmzContentSHA256Mismatch";
    }
  }
  const [, date = "", region = "", service = ""] = credential.split("/");
  const canonicalQuery = [...query]
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const headerNames = signedHeaders.split(";");
  const canonicalHeaders = headerNames
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const rawPath = (req.url ?? "/").split("?")[0];
  const canonicalRequest = [
    req.method,
    rawPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  let key: Buffer = createHmac("sha256", `AWS4${secret}`).update(date).digest();
  for (const part of [region, service, "aws4_request"]) {
    key = createHmac("sha256", key).update(part).digest();
  }
  const expected = Buffer.from(createHmac("sha256", key).update(stringToSign).digest("hex"));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return "SignatureDoesNotMatch";
  }
  return undefined;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return 0;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}
