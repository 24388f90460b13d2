import type { ConsumerHandle } from "../bus/types.ts";
import type { ComponentContext } from "./component.ts";

const RETRY_MS = 1000;

/**
 * startConsumer starts a bus consumer without holding up the component's start: with the broker
 * away, the component still comes up, reports not ready until the consumer runs, and keeps
 * trying. A component that waited would never serve, and never say why.
 */
export function startConsumer(
  context: Pick<ComponentContext, "readiness" | "log" | "shutdown">,
  name: string,
  start: () => Promise<ConsumerHandle>,
): void {
  let consuming = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  context.readiness.addCheck(`consumer ${name}`, async () => {
    if (!consuming) throw new Error(`consumer ${name} has not started`);
  });
  const attempt = async () => {
    if (context.shutdown.stopping) return;
    try {
      await start();
      consuming = true;
    } catch (err) {
      context.log.warn({ err, consumer: name }, "consumer could not start; retrying");
      timer = setTimeout(attempt, RETRY_MS);
      timer.unref?.();
    }
  };
  context.shutdown.whenStopping(() => clearTimeout(timer));
  void attempt();
}
