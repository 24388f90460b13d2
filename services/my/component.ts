import { componentSpec } from "../../catalog/components.ts";
import { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { MyService } from "../../gen/eco2/my/v1/my_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { myHandlers } from "./handlers.ts";

/** The my service owns user accounts, social identities and character collections. */
export const myComponent = defineComponent(componentSpec("my"), async (context) => {
  const pool = await openSchema(context, {
    schema: "my",
    migrations: new URL("./migrations", import.meta.url),
    outbox: true,
  });
  const characters = context.client("character", CharacterService);
  return { services: [defineService(MyService, myHandlers(pool, characters))] };
});
