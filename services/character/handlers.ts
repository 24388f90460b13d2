import { create } from "@bufbuild/protobuf";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { CharacterCardSchema } from "../../gen/eco2/common/v1/common_pb.ts";
import { domainError } from "../../lib/rpc/index.ts";
import type { Catalog, Character } from "./catalog.ts";

export interface CharacterHandlerOptions {
  /** The character catalog, loaded and checked at start. */
  readonly catalog: Catalog;
}

const MAX_MIDDLE_LENGTH = 100;
const MAX_TEXT_LENGTH = 2000;

/**
 * characterHandlers implements CharacterService's catalog and match calls; GrantReward (ownership)
 * is not built yet and answers UNIMPLEMENTED.
 */
export function characterHandlers(
  options: CharacterHandlerOptions,
): Partial<ServiceImpl<typeof CharacterService>> {
  const { catalog } = options;
  const card = (character: Character) => cardOf(character, catalog.defaultCharacter);
  return {
    listCatalog() {
      return { characters: catalog.characters.map(card) };
    },
    getCharacterByMatch({ middleCategory, text }) {
      const middle = middleCategory.trim();
      const words = text.trim();
      if (
        (!middle && !words) ||
        middle.length > MAX_MIDDLE_LENGTH ||
        words.length > MAX_TEXT_LENGTH
      ) {
        throw domainError(
          Code.InvalidArgument,
          "INVALID_MATCH_REQUEST",
          `give a middle_category (≤ ${MAX_MIDDLE_LENGTH}) or text (≤ ${MAX_TEXT_LENGTH})`,
        );
      }
      const found = middle ? catalog.byMiddleCategory(middle) : catalog.mentionedIn(words);
      return { character: card(found ?? catalog.defaultCharacter), matched: found !== undefined };
    },
  };
}

// The default character matches no waste category; its empty label is the catalog's null match.
export function cardOf(character: Character, defaultCharacter: Character) {
  return create(CharacterCardSchema, {
    // Characters are catalog data, not rows, so the code is their stable id.
    id: character.code,
    code: character.code,
    name: character.name,
    type: character.type,
    dialog: character.dialog,
    matchLabel: character === defaultCharacter ? "" : character.match_label,
  });
}
