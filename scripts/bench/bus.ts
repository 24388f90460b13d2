/**
 * Bus benchmark (`npm run bench -- bus`): confirmed publishes/s and consumed-and-acked messages/s,
 * RabbitMQ (AMQP_URL, default the loopback broker) against the embedded broker, in one run, with
 * ratios. Writes the table to bench/results/bus.md and returns it.
 */
import { Connection } from "rabbitmq-client";
import { ScanRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { type Bus, EmbeddedBroker, openBus } from "../../lib/bus/index.ts";
import { createLogger } from "../../lib/log/index.ts";
import { fmt, machineNote, markdownTable, writeResult } from "./table.ts";

const SEQUENTIAL = 2_000;
const WINDOWED = 20_000;
const WINDOW = 64;
const CONSUMED = 20_000;
const PREFETCH = 64;

const log = createLogger({ service: "bench", level: "silent" });
const event = { jobId: "bench", userId: "u", imageUrl: "https://example.invalid/x.jpg" };

interface Result {
  sequential: number;
  windowed: number;
  consumed: number;
}

async function measure(bus: Bus, tag: string): Promise<Result> {
  const name = `bench_${tag}_${process.pid}_${Date.now()}`;
  const routingKey = `bench.${name}`;
  const topology = { name, bindings: [routingKey] };
  await bus.declareConsumer(topology);
  try {
    // Warm-up: connection, channel and JIT.
    for (let i = 0; i < 200; i++) await bus.publish(ScanRequestedSchema, routingKey, event);

    let started = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) await bus.publish(ScanRequestedSchema, routingKey, event);
    const sequential = SEQUENTIAL / ((performance.now() - started) / 1000);

    started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WINDOW }, async () => {
        while (next++ < WINDOWED) await bus.publish(ScanRequestedSchema, routingKey, event);
      }),
    );
    const windowed = WINDOWED / ((performance.now() - started) / 1000);

    // The queue now holds 200 + SEQUENTIAL + WINDOWED; consume CONSUMED of them from a full queue.
    const total = 200 + SEQUENTIAL + WINDOWED;
    let handled = 0;
    let consumedAt = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    started = performance.now();
    const consumer = await bus.consume({
      ...topology,
      prefetch: PREFETCH,
      schemas: [ScanRequestedSchema],
      handler: () => {
        handled++;
        if (handled === CONSUMED) consumedAt = performance.now();
        if (handled === total) done();
        return "ack";
      },
    });
    await finished;
    await consumer.close();
    const consumed = CONSUMED / ((consumedAt - started) / 1000);
    return { sequential, windowed, consumed };
  } finally {
    await bus.deleteConsumer(topology);
  }
}

/** run measures both adapters and returns the markdown table (also written to bench/results). */
export async function run(): Promise<string> {
  const url = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
  const exchange = `bench_ex_${process.pid}_${Date.now()}`;

  const embeddedBus = await openBus({ log, broker: new EmbeddedBroker(), exchange });
  const embedded = await measure(embeddedBus, "embedded");
  await embeddedBus.close();

  const rabbitBus = await openBus({ url, log, exchange, connectionName: "eco2-bench" });
  let rabbit: Result;
  try {
    rabbit = await measure(rabbitBus, "rabbit");
  } finally {
    await rabbitBus.close();
    const admin = new Connection({ url, noDelay: true });
    await admin.exchangeDelete({ exchange }).catch(() => undefined);
    await admin.exchangeDelete({ exchange: `${exchange}.retry` }).catch(() => undefined);
    await admin.close();
  }

  const rows = [
    ["confirmed publishes/s, 1 in flight", rabbit.sequential, embedded.sequential],
    [`confirmed publishes/s, ${WINDOW} in flight`, rabbit.windowed, embedded.windowed],
    [`consumed-and-acked msgs/s, prefetch ${PREFETCH}`, rabbit.consumed, embedded.consumed],
  ] as const;
  const table = [
    "## bus: RabbitMQ against the embedded broker",
    "",
    machineNote(),
    `RabbitMQ at ${new URL(url).host} through rabbitmq-client (noDelay), the embedded broker in the same process. Body: a ScanRequested protobuf (~40 B). Publishes: ${fmt.int(SEQUENTIAL)} awaited one by one, then ${fmt.int(WINDOWED)} with ${WINDOW} awaiting confirms at once. Consumption: the first ${fmt.int(CONSUMED)} messages of a full queue, the handler acking at once.`,
    "RabbitMQ messages are persistent on durable queues, so a confirm waits for the broker's disk write: that, more than the client, bounds the 1-in-flight rate.",
    "",
    markdownTable(
      ["measure", "RabbitMQ", "embedded", "embedded / RabbitMQ"],
      rows.map(([label, r, e]) => [label, fmt.int(r), fmt.int(e), fmt.ratio(e / r)]),
    ),
  ].join("\n");
  writeResult("bus", table);
  return table;
}

if (import.meta.main) {
  console.log(await run());
  process.exit(0);
}
