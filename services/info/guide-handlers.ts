import type { JsonObject } from "@bufbuild/protobuf";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { domainError } from "../../lib/rpc/index.ts";
import { guideKey } from "./knowledge/categories.ts";
import type { Knowledge } from "./knowledge/load-knowledge.ts";
import type { RuleDocument } from "./knowledge/schema.ts";
import { createGuideSearch } from "./knowledge/search-guides.ts";

type GuideHandlers = Pick<
  ServiceImpl<typeof InfoService>,
  "listGuides" | "getGuide" | "searchGuides" | "getGuideByClassification"
>;

const MAX_QUERY_LENGTH = 100;
const MAX_KEY_LENGTH = 100;
const MAX_LIMIT = 50;
const DEFAULT_LIMIT = 10;

/**
 * guideHandlers serve the disposal-rule guides from a loaded knowledge base: the list, one
 * document by key or by a scan's classification, and item-name search. Blank or oversized input
 * is INVALID_ARGUMENT; a key or classification without a document is NOT_FOUND (GUIDE_NOT_FOUND).
 */
export function guideHandlers(knowledge: Knowledge): GuideHandlers {
  const search = createGuideSearch(knowledge);
  const summaryOf = (key: string) => summarize(knowledge.documents.get(key)!);
  const majors = new Set(knowledge.taxonomy.majors.map((m) => m.name));
  return {
    listGuides({ majorCategory }) {
      const major = majorCategory.trim();
      if (major && !majors.has(major)) {
        throw domainError(Code.InvalidArgument, "INVALID_MAJOR_CATEGORY", "unknown major category");
      }
      const categories = knowledge.categories.filter((c) => !major || c.major === major);
      return { guides: categories.map((c) => summaryOf(c.key)) };
    },
    getGuide({ key }) {
      return guideAnswer(findGuide(knowledge, requireKey(key)));
    },
    getGuideByClassification({ classification }) {
      const major = classification?.majorCategory.trim() ?? "";
      if (!major) {
        throw domainError(
          Code.InvalidArgument,
          "INVALID_CLASSIFICATION",
          "major category required",
        );
      }
      const middle = classification?.middleCategory.trim() ?? "";
      const hasMiddles = knowledge.taxonomy.majors.find((m) => m.name === major)?.middles;
      return guideAnswer(findGuide(knowledge, guideKey(major, hasMiddles ? middle : undefined)));
    },
    searchGuides({ query, limit }) {
      const text = query.trim();
      if (!text || text.length > MAX_QUERY_LENGTH) {
        throw domainError(
          Code.InvalidArgument,
          "INVALID_QUERY",
          `query must be 1..${MAX_QUERY_LENGTH} characters`,
        );
      }
      if (limit < 0 || limit > MAX_LIMIT) {
        throw domainError(Code.InvalidArgument, "INVALID_LIMIT", `limit must be 0..${MAX_LIMIT}`);
      }
      const hits = search(text, limit || DEFAULT_LIMIT);
      return {
        matches: hits.map((hit) => ({
          guide: summaryOf(hit.key),
          matchedItem: hit.matched,
          score: hit.score,
        })),
      };
    },
  };
}

function requireKey(key: string): string {
  const trimmed = key.trim();
  if (!trimmed || trimmed.length > MAX_KEY_LENGTH) {
    throw domainError(Code.InvalidArgument, "INVALID_GUIDE_KEY", "guide key required");
  }
  return trimmed.normalize("NFC");
}

function findGuide(knowledge: Knowledge, key: string): RuleDocument {
  const doc = knowledge.documents.get(key);
  if (!doc) throw domainError(Code.NotFound, "GUIDE_NOT_FOUND", "no disposal guide for that key");
  return doc;
}

function guideAnswer(doc: RuleDocument) {
  return { summary: summarize(doc), document: doc as unknown as JsonObject };
}

function summarize(doc: RuleDocument) {
  return { key: doc.key, category: doc.category, name: doc.이름, summary: doc.요약 };
}
