import { componentSpec } from "../../catalog/components.ts";
import { defineComponent } from "../../lib/process/index.ts";

/**
 * The ai worker runs the scan pipeline (vision → rule → answer → reward) and chat answers from the
 * bus. It hosts no API of its own; its gRPC port serves health only.
 */
export const aiComponent = defineComponent(componentSpec("ai"), () => ({ services: [] }));
