import { withParticle } from "../korean.ts";
import type { GuideDocument, GuidesPort } from "../ports.ts";
import type { Finding, SubAgent, Turn } from "./types.ts";

// Below this the knowledge search matched a fragment, not the item the user named.
const MIN_SCORE = 0.5;
const STEPS_SHOWN = 4;

/** The words to look up: what the image showed first, then the message, then the last user turn. */
function queries(turn: Turn): string[] {
  const found: string[] = [];
  const seen = turn.vision && !turn.vision.unclassified ? turn.vision.classification : undefined;
  if (seen) found.push(seen.minor || seen.middle);
  found.push(turn.message.slice(0, 100));
  const previous = [...turn.history].reverse().find((m) => m.role === "user");
  if (previous) found.push(previous.content.slice(0, 100));
  return found.filter((q) => q.trim().length > 0);
}

/** findGuide: the best rule document for the first query that matches one. */
export async function findGuide(
  guides: GuidesPort,
  turn: Turn,
): Promise<{ doc: GuideDocument; matched: string } | undefined> {
  for (const query of queries(turn)) {
    const [best] = await guides.search(query, 3);
    if (!best || best.score < MIN_SCORE) continue;
    const doc = await guides.get(best.guide.key);
    if (doc) return { doc, matched: best.matched };
  }
  return undefined;
}

/** wasteAgent retrieves the disposal rule the question is about and names its key steps. */
export function wasteAgent(guides: GuidesPort): SubAgent {
  return async (turn): Promise<Finding> => {
    const hit = await findGuide(guides, turn);
    if (!hit) {
      return {
        intent: "waste",
        found: false,
        facts: [
          "어떤 물건인지 알 수 없어 규정을 찾지 못했어요. 물건 이름을 알려 주면 바로 찾아볼게요.",
        ],
        result: { matched: null },
      };
    }
    const { doc, matched } = hit;
    const rule = doc.category === doc.name ? doc.name : `${doc.category} > ${doc.name}`;
    const steps = doc.steps.slice(0, STEPS_SHOWN);
    return {
      intent: "waste",
      found: true,
      facts: [
        `${withParticle(matched, "은/는")} ${rule} 규정을 따라요. ${doc.summary}`,
        ...steps.map((step, i) => `${i + 1}. ${step}`),
        ...doc.exclusions.slice(0, 1).map((note) => `주의: ${note}`),
      ],
      result: { guide_key: doc.key, rule, matched, steps },
      sources: doc.sources,
    };
  };
}
