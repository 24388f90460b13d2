import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import {
  CompleteUploadResponseSchema,
  CreateUploadResponseSchema,
  type ImageService,
  ProcessUploadResponseSchema,
  ResolveImageUrlResponseSchema,
  UseImageResponseSchema,
} from "../../gen/eco2/storage/v1/storage_pb.ts";
import { domainError, requireUserId } from "../../lib/rpc/index.ts";
import type { ImageUrls } from "./image-urls.ts";
import { CHANNELS, type ImageIntake, imageNotFound } from "./intake.ts";
import type { UploadRow } from "./store.ts";

const notOurs = () =>
  domainError(
    Code.InvalidArgument,
    "INVALID_IMAGE_URL",
    "image_url must be the cdn_url of an image uploaded here",
  );

function checkChannel(channel: string): void {
  if (!(CHANNELS as readonly string[]).includes(channel)) {
    throw domainError(Code.InvalidArgument, "INVALID_CHANNEL", "channel must be chat, scan or my");
  }
}

/** imageHandlers serve ImageService over the intake; identity always comes from the caller. */
export function imageHandlers(
  intake: ImageIntake,
  urls: ImageUrls,
): Omit<ServiceImpl<typeof ImageService>, "readImage"> {
  const findByUrl = async (url: string) => {
    const key = urls.keyOf(url);
    if (!key) throw notOurs();
    const upload = await intake.find(key, requireUserId());
    if (!upload) throw imageNotFound();
    return upload;
  };
  const describe = async (upload: UploadRow) =>
    create(UseImageResponseSchema, {
      key: upload.key,
      cdnUrl: await urls.urlOf(upload.key),
      contentType: upload.content_type,
      width: upload.width ?? 0,
      height: upload.height ?? 0,
      channel: upload.channel,
      thumbnailUrl: upload.thumbnail_key ? await urls.urlOf(upload.thumbnail_key) : "",
      sizeBytes: BigInt(upload.size_bytes ?? 0),
    });

  return {
    async createUpload(req) {
      const caller = requireUserId();
      checkChannel(req.channel);
      const issued = await intake.issue(caller, {
        channel: req.channel,
        filename: req.filename,
        contentType: req.contentType,
        metadata: (req.metadata ?? {}) as Record<string, unknown>,
      });
      return create(CreateUploadResponseSchema, issued);
    },

    async completeUpload(req) {
      const caller = requireUserId();
      const found = await intake.find(req.key, caller);
      // CONTRACT I3 names this refusal UPLOAD_NOT_FOUND.
      if (!found) throw domainError(Code.NotFound, "UPLOAD_NOT_FOUND", "no such upload of yours");
      if (found.channel !== req.channel) {
        throw domainError(
          Code.InvalidArgument,
          "CHANNEL_MISMATCH",
          `the upload belongs to channel ${found.channel}`,
        );
      }
      const upload = await intake.process(found);
      return create(CompleteUploadResponseSchema, {
        key: upload.key,
        channel: upload.channel,
        cdnUrl: await urls.urlOf(upload.key),
        uploaderId: upload.uploader_id,
        metadata: upload.metadata as JsonObject,
        etag: req.etag,
        contentType: upload.content_type,
        processedAt: upload.processed_at ? timestampFromDate(upload.processed_at) : undefined,
      });
    },

    async resolveImageUrl(req) {
      const upload = await findByUrl(req.url);
      return create(ResolveImageUrlResponseSchema, {
        key: upload.key,
        channel: upload.channel,
        uploaderId: upload.uploader_id,
        contentType: upload.content_type,
      });
    },

    async useImage(req) {
      const upload = await findByUrl(req.url);
      return describe(await intake.process(upload));
    },

    async processUpload(req) {
      const upload = await intake.findStored(req.storedKey);
      if (!upload) throw imageNotFound();
      if (upload.state === "processed") {
        // A second PUT after processing left an original nobody will serve, EXIF and all.
        await intake.discardStored(req.storedKey);
      } else {
        await intake.process(upload);
      }
      return create(ProcessUploadResponseSchema, {});
    },
  };
}
