import type { Intent } from "../intent/intents.ts";
import type { SubAgentPorts } from "./index.ts";

/** The intents whose answers gain a weather tip (when to set the recycling out). */
const WEATHER_ENRICHED: ReadonlySet<Intent> = new Set(["waste", "bulk_waste"]);

/**
 * enrichmentsFor lists the sub-agents a turn runs beyond its intents (CONTRACT §3.6: `waste` and
 * `bulk_waste` add `weather`): only with a forecast provider and a location the user sent, so an
 * enrichment never asks a question or calls out when nothing is configured.
 */
export function enrichmentsFor(
  intents: readonly Intent[],
  ports: SubAgentPorts,
  hasLocation: boolean,
): Intent[] {
  const wanted =
    ports.provided?.weather !== undefined &&
    hasLocation &&
    !intents.includes("weather") &&
    intents.some((intent) => WEATHER_ENRICHED.has(intent));
  return wanted ? ["weather"] : [];
}
