import { componentSpec } from "../../catalog/components.ts";
import { ScanService } from "../../gen/eco2/scan/v1/scan_pb.ts";
import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { startConsumer } from "../../lib/process/start-consumer.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { scanHandlers } from "./handlers.ts";
import { registerJobGauges } from "./metrics.ts";
import { startSweeper } from "./sweeper.ts";
import { consumeUserDeleted } from "./user-deleted.ts";

/** The scan service accepts scan jobs and reports their progress and results. */
export const scanComponent = defineComponent(componentSpec("scan"), async (context) => {
  const { platform, settings, log, shutdown } = context;
  const pool = await openSchema(context, {
    schema: "scan",
    migrations: new URL("./migrations", import.meta.url),
    outbox: true,
    inbox: true,
  });
  startConsumer(context, "scan.user_deleted", () => consumeUserDeleted(platform.bus, pool));
  registerJobGauges(pool);
  const sweeper = startSweeper({
    pool,
    cache: platform.cache,
    log,
    idleSeconds: settings.SCAN_JOB_IDLE_SECONDS,
    intervalMs: 5000,
  });
  shutdown.whenStopping(() => sweeper.stop());
  const handlers = scanHandlers({
    pool,
    cache: platform.cache,
    images: context.client("storage", ImageService),
  });
  return { services: [defineService(ScanService, handlers)] };
});
