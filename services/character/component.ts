import { componentSpec } from "../../catalog/components.ts";
import { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { loadCatalog } from "./catalog.ts";
import { characterHandlers } from "./handlers.ts";

/** The character service owns the character catalog and reward decisions. */
export const characterComponent = defineComponent(componentSpec("character"), async () => ({
  services: [defineService(CharacterService, characterHandlers({ catalog: await loadCatalog() }))],
}));
