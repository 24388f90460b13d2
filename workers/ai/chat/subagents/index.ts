import type { Intent } from "../intent/intents.ts";
import type { CharactersPort, GuidesPort, PlacesPort } from "../ports.ts";
import { bulkWasteAgent } from "./bulk-waste.ts";
import { characterAgent } from "./character.ts";
import { generalAgent } from "./general.ts";
import { placesAgent } from "./places.ts";
import { priceAgent } from "./price.ts";
import type { SubAgent } from "./types.ts";
import { unavailableAgent } from "./unavailable.ts";
import { wasteAgent as wasteAgentOf } from "./waste.ts";

export interface SubAgentPorts {
  readonly guides: GuidesPort;
  readonly characters: CharactersPort;
  readonly places: PlacesPort;
  /** Capabilities a configured provider adds (weather, web search); absent ones answer "not available". */
  readonly provided?: Partial<Record<"weather" | "web_search", SubAgent>>;
}

export type SubAgents = Record<Intent, SubAgent>;

/**
 * createSubAgents builds one sub-agent per intent. `bulk_waste` uses a location only when the user
 * sent one (it never asks): the procedure is the answer, the district a bonus.
 */
export function createSubAgents(ports: SubAgentPorts, hasLocation: () => boolean): SubAgents {
  const { guides, characters, places } = ports;
  return {
    waste: wasteAgentOf(guides),
    character: characterAgent(characters, guides),
    location: placesAgent(places, "location"),
    collection_point: placesAgent(places, "collection_point"),
    bulk_waste: bulkWasteAgent(guides, places, hasLocation),
    recyclable_price: priceAgent(),
    general: generalAgent(),
    weather: ports.provided?.weather ?? unavailableAgent("weather"),
    web_search: ports.provided?.web_search ?? unavailableAgent("web_search"),
    image_generation: unavailableAgent("image_generation"),
  };
}
