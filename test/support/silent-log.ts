import { createLogger } from "../../lib/log/index.ts";

/** silentLog is a real logger that writes nothing, for tests that do not read log lines. */
export const silentLog = createLogger({ service: "test", level: "silent" });
