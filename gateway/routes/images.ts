import type { JsonObject } from "@bufbuild/protobuf";
import { Elysia, t } from "elysia";
import { currentContext } from "../../lib/context/request-context.ts";
import { ApiError } from "../api-error.ts";
import type { ServiceClients } from "../clients.ts";
import { errorBody, jsonObject } from "./wire.ts";

const channelPath = t.Object({ channel: t.UnionEnum(["chat", "scan", "my"]) });

/** imagesRoutes hand out signed upload URLs and take the optional upload callback (CONTRACT I1, I3). */
export function imagesRoutes(clients: ServiceClients) {
  return new Elysia({
    name: "eco2/routes/images",
    prefix: "/api/v1/images",
    detail: { tags: ["images"] },
  })
    .post(
      "/:channel",
      async ({ params: { channel }, body }) => {
        // Identity is the gateway's to know: a body naming someone else is refused here. It is a
        // 400, not the original 403, because the client logs the user out on any 403.
        const caller = currentContext()?.userId;
        if (body.uploader_id && caller && body.uploader_id !== caller) {
          throw new ApiError(400, "UPLOADER_MISMATCH", "uploader_id must be the caller");
        }
        const answer = await clients.images.createUpload({
          channel,
          filename: body.filename,
          contentType: body.content_type ?? "application/octet-stream",
          metadata: body.metadata as JsonObject | undefined,
        });
        return {
          key: answer.key,
          upload_url: answer.uploadUrl,
          cdn_url: answer.cdnUrl,
          expires_in: answer.expiresIn,
          required_headers: answer.requiredHeaders,
        };
      },
      {
        params: channelPath,
        body: t.Object({
          filename: t.String({ minLength: 1, maxLength: 255 }),
          content_type: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
          uploader_id: t.Optional(t.Nullable(t.String())),
          metadata: t.Optional(t.Nullable(jsonObject)),
        }),
        response: {
          200: t.Object({
            key: t.String(),
            upload_url: t.String(),
            cdn_url: t.String(),
            expires_in: t.Integer(),
            required_headers: t.Record(t.String(), t.String()),
          }),
          400: errorBody,
          415: errorBody,
        },
        detail: {
          summary:
            "A signed PUT URL for one image upload (I1); 415 UNSUPPORTED_MEDIA_TYPE unless JPEG, PNG or WebP",
        },
      },
    )
    .post(
      "/:channel/callback",
      async ({ params: { channel }, body }) => {
        const answer = await clients.images.completeUpload({
          channel,
          key: body.key,
          etag: body.etag,
          contentLength: BigInt(body.content_length ?? 0),
          checksum: body.checksum ?? "",
        });
        return {
          key: answer.key,
          channel: answer.channel,
          cdn_url: answer.cdnUrl,
          uploader_id: answer.uploaderId,
          metadata: answer.metadata ?? {},
          etag: answer.etag,
          content_type: answer.contentType,
        };
      },
      {
        params: channelPath,
        body: t.Object({
          key: t.String({ minLength: 1, maxLength: 1024 }),
          etag: t.String({ maxLength: 256 }),
          content_length: t.Optional(t.Nullable(t.Integer({ minimum: 0 }))),
          checksum: t.Optional(t.Nullable(t.String({ maxLength: 256 }))),
        }),
        response: {
          200: t.Object({
            key: t.String(),
            channel: t.String(),
            cdn_url: t.String(),
            uploader_id: t.String(),
            metadata: jsonObject,
            etag: t.String(),
            content_type: t.String(),
          }),
          400: errorBody,
          404: errorBody,
          413: errorBody,
          415: errorBody,
        },
        detail: {
          summary:
            "Confirm a finished upload (I3) and process it; 404 UPLOAD_NOT_FOUND, 400 CHANNEL_MISMATCH, 415 UNSUPPORTED_MEDIA_TYPE, 413 IMAGE_TOO_LARGE",
        },
      },
    );
}
