import { componentSpec } from "../../catalog/components.ts";
import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";

/**
 * The storage worker takes images in: it issues signed upload URLs (ImageService) and processes
 * uploaded objects (validate, strip EXIF, re-encode, thumbnail) from the bus.
 */
export const storageComponent = defineComponent(componentSpec("storage"), () => ({
  services: [defineService(ImageService, {})],
}));
