import { componentSpec } from "../../catalog/components.ts";
import { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { startConsumer } from "../../lib/process/start-consumer.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { loadCatalog } from "./catalog.ts";
import { cardOf, characterHandlers } from "./handlers.ts";
import { ownershipHandlers } from "./ownership-handlers.ts";
import { consumeUserDeleted } from "./user-deleted.ts";

/** The character service owns the character catalog, who owns which character, and rewards. */
export const characterComponent = defineComponent(componentSpec("character"), async (context) => {
  const catalog = await loadCatalog();
  const pool = await openSchema(context, {
    schema: "character",
    migrations: new URL("./migrations", import.meta.url),
    inbox: true,
  });
  startConsumer(context, "character.user_deleted", () =>
    consumeUserDeleted(context.platform.bus, pool),
  );
  const card = (character: Parameters<typeof cardOf>[0]) =>
    cardOf(character, catalog.defaultCharacter);
  const handlers = {
    ...characterHandlers({ catalog }),
    ...ownershipHandlers(pool, catalog, card),
  };
  return { services: [defineService(CharacterService, handlers)] };
});
