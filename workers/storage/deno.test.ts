import { describe, expect, it } from "bun:test";
import { startProcess } from "../../test/support/processes.ts";

describe("image processing under Deno", () => {
  it("strips GPS and refuses an 80 MP PNG from its header, as on Bun", async () => {
    const probe = startProcess(["workers/storage/deno-probe.ts"], {}, "deno");
    const { code } = await probe.exited;
    expect(code, probe.output()).toBe(0);
    const result = JSON.parse(probe.output().trim().split("\n").at(-1)!);
    expect(result).toMatchObject({ width: 64, height: 48, gps: false, bomb: "IMAGE_TOO_LARGE" });
    expect(result.grownMb).toBeLessThan(20);
  }, 60_000);
});
