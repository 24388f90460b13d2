import { Elysia, t } from "elysia";
import type { ServiceClients } from "../clients.ts";

const catalogEntry = t.Object({
  name: t.String(),
  type: t.String(),
  dialog: t.String(),
  match: t.Nullable(t.String()),
});

/** characterRoutes expose the character catalog (CONTRACT §2.2 Character) → CharacterService. */
export function characterRoutes(clients: ServiceClients) {
  return new Elysia({
    name: "eco2/routes/character",
    prefix: "/api/v1/character",
    detail: { tags: ["character"] },
  }).get(
    "/catalog",
    async () => {
      const answer = await clients.character.listCatalog({});
      return answer.characters.map((card) => ({
        name: card.name,
        type: card.type,
        dialog: card.dialog,
        // The default character has no waste category to match.
        match: card.matchLabel || null,
      }));
    },
    {
      response: t.Array(catalogEntry),
      detail: { summary: "Every collectible character, a bare array" },
    },
  );
}
