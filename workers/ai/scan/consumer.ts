import { ScanRequestedSchema } from "../../../gen/eco2/events/v1/events_pb.ts";
import type { Bus } from "../../../lib/bus/types.ts";
import { runScan, type ScanPipelineDeps } from "./pipeline.ts";

/**
 * consumeScanRequests runs the pipeline for each submitted job. A job ends acked, completed or
 * failed; only a failure to record its progress (scan service away) retries the message, and the
 * rerun records nothing twice.
 */
export function consumeScanRequests(bus: Bus, deps: ScanPipelineDeps, prefetch: number) {
  return bus.consume({
    name: "ai.scan",
    bindings: ["scan.requested"],
    schemas: [ScanRequestedSchema],
    prefetch,
    handler: async (event) => {
      await runScan(deps, event);
      return "ack" as const;
    },
  });
}
