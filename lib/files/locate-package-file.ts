import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * locatePackageFile finds `node_modules/<relative>` in the nearest ancestor of this module, the way
 * the runtime resolves packages. Module resolution itself cannot be used: packages' `exports` maps
 * hide the files we need (model weights, browser bundles), which are read from disk, never fetched.
 */
export function locatePackageFile(relative: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "node_modules", relative);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`node_modules/${relative} not found above ${dir}`);
    dir = parent;
  }
}
