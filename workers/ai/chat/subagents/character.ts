import { particleFor, withParticle } from "../korean.ts";
import type { CharacterCard, CharactersPort, GuidesPort } from "../ports.ts";
import type { Finding, SubAgent } from "./types.ts";
import { findGuide } from "./waste.ts";

const LIST_WORDS = /몇 ?(개|명)|목록|도감|전부|모두|다 보여|모으|수집|what characters|collect/i;
const RECYCLABLE = "재활용폐기물";

function describe(card: CharacterCard) {
  const earnedBy = card.matchLabel
    ? `'${card.matchLabel}'${particleFor(card.matchLabel, "을/를")} 분리배출하면 만날 수 있어요`
    : "이코에코의 대표 캐릭터예요";
  return `${card.name}: ${earnedBy}. (${card.type}) "${card.dialog}"`;
}

/**
 * characterAgent answers which character an item earns (the item's middle category, found through
 * the knowledge search, matched by the character service), who a named character is, or lists
 * the catalog when the user asks about collecting.
 */
export function characterAgent(characters: CharactersPort, guides: GuidesPort): SubAgent {
  return async (turn): Promise<Finding> => {
    const named = await characters.match({ text: turn.message });
    // Users address the mascot by name ("이코야, …"): only another character's name is the topic.
    if (named?.matchLabel) return namedFinding(named);
    const hit = await findGuide(guides, { ...turn, history: [] });
    if (hit && hit.doc.category === RECYCLABLE) {
      const card = await characters.match({ middleCategory: hit.doc.name });
      if (card) {
        return {
          intent: "character",
          found: true,
          facts: [
            `${withParticle(hit.matched, "은/는")} ${withParticle(hit.doc.name, "으로/로")} 분리배출해요.`,
            describe(card),
          ],
          result: { character: card.name, middle_category: hit.doc.name },
        };
      }
    }
    if (named && !LIST_WORDS.test(turn.message)) return namedFinding(named);
    const catalog = await characters.catalog();
    const facts = [
      `지금 만날 수 있는 캐릭터는 ${catalog.length}종이에요.`,
      ...catalog.map(describe),
    ];
    if (hit && !LIST_WORDS.test(turn.message)) {
      facts.unshift(
        `${withParticle(hit.matched, "은/는")} ${hit.doc.name} 품목이라 얻을 수 있는 캐릭터가 따로 없어요.`,
      );
    }
    return {
      intent: "character",
      found: catalog.length > 0,
      facts,
      result: { catalog: catalog.map((c) => c.name) },
    };
  };
}

function namedFinding(card: CharacterCard): Finding {
  return {
    intent: "character",
    found: true,
    facts: [describe(card)],
    result: { character: card.name },
  };
}
