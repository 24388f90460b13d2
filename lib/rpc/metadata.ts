import { Metadata } from "@grpc/grpc-js";

// Headers the HTTP/2 and gRPC layers own; copying them between transports would corrupt the call.
const TRANSPORT_OWNED = new Set([
  "content-type",
  "te",
  "user-agent",
  "grpc-timeout",
  "grpc-encoding",
  "grpc-accept-encoding",
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "content-length",
  "connection",
  "host",
]);

/** headersToMetadata converts fetch-style headers to grpc-js metadata (`-bin` values are base64). */
export function headersToMetadata(headers: HeadersInit | undefined): Metadata {
  const metadata = new Metadata();
  if (!headers) return metadata;
  new Headers(headers).forEach((value, key) => {
    if (TRANSPORT_OWNED.has(key) || key.startsWith(":")) return;
    if (key.endsWith("-bin")) {
      for (const part of value.split(",")) metadata.add(key, Buffer.from(part.trim(), "base64"));
    } else {
      metadata.add(key, value);
    }
  });
  return metadata;
}

/** metadataToHeaders converts grpc-js metadata to fetch-style headers. */
export function metadataToHeaders(metadata: Metadata | undefined): Headers {
  const headers = new Headers();
  if (!metadata) return headers;
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (TRANSPORT_OWNED.has(key)) continue;
    const all = metadata.get(key);
    for (const value of all.length > 0 ? all : [values]) {
      headers.append(
        key,
        typeof value === "string" ? value : Buffer.from(value).toString("base64"),
      );
    }
  }
  return headers;
}
