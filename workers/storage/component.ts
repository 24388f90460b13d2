import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { DEFAULT_GRPC_PORTS } from "../../services/components.ts";

/**
 * The storage worker takes images in: it issues signed upload URLs (ImageService) and processes
 * uploaded objects (validate, strip EXIF, re-encode, thumbnail) from the bus.
 */
export const storageComponent = defineComponent({
  name: "storage",
  defaultGrpcPort: DEFAULT_GRPC_PORTS.storage,
  create: () => ({ services: [defineService(ImageService, {})] }),
});
