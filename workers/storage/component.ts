import { componentSpec } from "../../catalog/components.ts";
import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { imageHandlers } from "./handlers.ts";
import { createImageUrls } from "./image-urls.ts";
import { createImageIntake } from "./intake.ts";
import { readImage } from "./read-image.ts";

/**
 * The storage worker takes images in: it issues signed upload URLs (ImageService) and, when an
 * image is first used or its upload confirmed, verifies and processes it (type sniffed, size and
 * pixel limits, EXIF stripped, re-encoded, thumbnail).
 */
export const storageComponent = defineComponent(componentSpec("storage"), async (context) => {
  const pool = await openSchema(context, {
    schema: "storage",
    migrations: new URL("./migrations", import.meta.url),
  });
  const objects = context.platform.objects;
  const urls = await createImageUrls({ objects, cdnBaseUrl: context.settings.CDN_BASE_URL });
  const intake = createImageIntake({ pool, objects, urls });
  const handlers = {
    ...imageHandlers(intake, urls),
    readImage: (request: { key: string; maxSide: number }) => readImage(pool, objects, request),
  };
  return { services: [defineService(ImageService, handlers)] };
});
