// Runs the image checks and processing once and prints what came out, as one JSON line; the
// storage tests run it under Deno to show sharp's native addon works there too.
import type { ConnectError } from "@connectrpc/connect";
import sharp from "sharp";
import { ERROR_CODE_METADATA } from "../../lib/rpc/domain-error.ts";
import { processImage } from "./process-image.ts";
import { hasGpsTag, hugePng, jpegWithGps } from "./test-images.ts";

const out = await processImage(await jpegWithGps(), "image/jpeg");
const bomb = await hugePng();
const before = process.memoryUsage().rss;
const refusal = await processImage(bomb, "image/png").then(
  () => "accepted",
  (err: ConnectError) => err.metadata.get(ERROR_CODE_METADATA),
);
console.log(
  JSON.stringify({
    width: out.width,
    height: out.height,
    gps: hasGpsTag((await sharp(out.image).metadata()).exif),
    bomb: refusal,
    grownMb: (process.memoryUsage().rss - before) / 1024 / 1024,
  }),
);
