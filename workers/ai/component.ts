import { defineComponent } from "../../lib/process/index.ts";
import { DEFAULT_GRPC_PORTS } from "../../services/components.ts";

/**
 * The ai worker runs the scan pipeline (vision → rule → answer → reward) and chat answers from the
 * bus. It hosts no API of its own; its gRPC port serves health only.
 */
export const aiComponent = defineComponent({
  name: "ai",
  defaultGrpcPort: DEFAULT_GRPC_PORTS.ai,
  create: () => ({ services: [] }),
});
