import { readFile } from "node:fs/promises";
import { locatePackageFile } from "../../../lib/files/locate-package-file.ts";

/**
 * samplePhoto reads the photo shipped inside @vladmandic/human (a 1280-wide collage of people):
 * a real image with known content, for tests and benchmarks that must run offline.
 */
export function samplePhoto(): Promise<Uint8Array> {
  return readFile(locatePackageFile("@vladmandic/human/assets/samples.jpg"));
}
