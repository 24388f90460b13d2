import { expect, test } from "bun:test";
import { ScanRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { gate, waitFor } from "../../test/support/wait-for.ts";
import { registry } from "../metrics/registry.ts";
import { EmbeddedBroker } from "./embedded-broker.ts";
import { createEmbeddedBus } from "./embedded-bus.ts";

const sample = async (metric: string, labels: string, series = metric) => {
  const text = await registry.getSingleMetricAsString(metric);
  const line = text.split("\n").find((l) => l.startsWith(`${series}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
};

test("depth, dead-letter depth, consumers and outcomes are exported under the alerting names", async () => {
  const bus = createEmbeddedBus({ log: silentLog, broker: new EmbeddedBroker() });
  const name = uniqueName("metrics");
  const queue = `${name}.q`;
  const release = gate();
  const consumer = await bus.consume({
    name,
    bindings: ["scan.requested"],
    prefetch: 1,
    schemas: [ScanRequestedSchema],
    handler: async (event) => {
      await release.wait;
      return event.jobId === "dead" ? "dead_letter" : "ack";
    },
  });
  await bus.publish(ScanRequestedSchema, "scan.requested", { jobId: "dead" });
  for (let i = 0; i < 3; i++)
    await bus.publish(ScanRequestedSchema, "scan.requested", { jobId: `${i}` });

  expect(await sample("eco2_bus_queue_depth", `queue="${queue}"`)).toBe(3);
  expect(await sample("eco2_bus_consumers", `queue="${queue}"`)).toBe(1);
  release.open();
  await waitFor("drained", async () => (await bus.queueStats(queue)).messages === 0);
  await waitFor(
    "all settled",
    async () => (await sample("eco2_bus_consumed_total", `queue="${queue}",outcome="ack"`)) === 3,
  );
  expect(await sample("eco2_bus_consumed_total", `queue="${queue}",outcome="dead_letter"`)).toBe(1);
  expect(await sample("eco2_bus_dead_letter_depth", `queue="${queue}"`)).toBe(1);
  expect(
    await sample("eco2_bus_handler_seconds", `queue="${queue}"`, "eco2_bus_handler_seconds_count"),
  ).toBe(4);
  expect(
    await sample("eco2_bus_published_total", `routing_key="scan.requested",outcome="confirmed"`),
  ).toBeGreaterThanOrEqual(4);

  await consumer.close();
  expect(await sample("eco2_bus_consumers", `queue="${queue}"`)).toBe(0);
  await bus.close();
  expect(await sample("eco2_bus_queue_depth", `queue="${queue}"`)).toBeUndefined();
});
