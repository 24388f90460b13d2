import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { type GuideCategory, guideCategories } from "./categories.ts";
import { checkKnowledge } from "./check-knowledge.ts";
import {
  type RuleDocument,
  RuleDocumentSchema,
  type SituationTags,
  SituationTagsSchema,
  type Taxonomy,
  TaxonomySchema,
} from "./schema.ts";

/** The folder this module sits in, which holds taxonomy.json, situation-tags.json and rules/. */
export const KNOWLEDGE_DIR = fileURLToPath(new URL(".", import.meta.url));

/** The disposal knowledge base, checked as a whole. */
export interface Knowledge {
  readonly taxonomy: Taxonomy;
  readonly situationTags: SituationTags;
  /** Every category that has a document, in taxonomy order. */
  readonly categories: readonly GuideCategory[];
  /** Documents by key (NFC). */
  readonly documents: ReadonlyMap<string, RuleDocument>;
}

/** KnowledgeError lists every problem found, so one run of the schema test shows them all. */
export class KnowledgeError extends Error {
  override readonly name = "KnowledgeError";
  constructor(readonly problems: readonly string[]) {
    super(`knowledge base is invalid:\n  ${problems.join("\n  ")}`);
  }
}

/**
 * loadKnowledge reads and checks the knowledge base in `dir` (default: the shipped one). It throws
 * KnowledgeError when any file is malformed or any cross-reference fails, so a service never
 * starts on a half-valid knowledge base.
 */
export async function loadKnowledge(dir: string = KNOWLEDGE_DIR): Promise<Knowledge> {
  const problems: string[] = [];
  const taxonomy = parseChecked<Taxonomy>(
    TaxonomySchema,
    await readJson(join(dir, "taxonomy.json")),
    "taxonomy.json",
    problems,
  );
  const situationTags = parseChecked<SituationTags>(
    SituationTagsSchema,
    await readJson(join(dir, "situation-tags.json")),
    "situation-tags.json",
    problems,
  );
  const documents = await readDocuments(join(dir, "rules"), problems);
  if (taxonomy) problems.push(...checkKnowledge(taxonomy, documents));
  if (problems.length > 0 || !taxonomy || !situationTags) throw new KnowledgeError(problems);
  return { taxonomy, situationTags, categories: guideCategories(taxonomy), documents };
}

async function readDocuments(dir: string, problems: string[]) {
  const documents = new Map<string, RuleDocument>();
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  for (const file of files) {
    const doc = parseChecked<RuleDocument>(
      RuleDocumentSchema,
      await readJson(join(dir, file)),
      file,
      problems,
    );
    if (!doc) continue;
    // macOS may hand back decomposed (NFD) Hangul file names; keys are compared in NFC.
    const stem = file.slice(0, -".json".length).normalize("NFC");
    const key = doc.key.normalize("NFC");
    if (stem !== key) problems.push(`${file}: key ${doc.key} does not match the file name`);
    if (documents.has(key)) problems.push(`${file}: duplicate key ${key}`);
    documents.set(key, doc);
  }
  return documents;
}

// A missing or unparsable file comes back as an Error so it is reported with the other problems.
async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    return new Error((err as Error).message);
  }
}

function parseChecked<T>(
  schema: TSchema,
  value: unknown,
  name: string,
  problems: string[],
): T | undefined {
  if (value instanceof Error) {
    problems.push(`${name}: ${value.message}`);
    return undefined;
  }
  if (Value.Check(schema, value)) return value as T;
  for (const error of Value.Errors(schema, value)) {
    problems.push(`${name}: ${error.path || "/"} ${error.message}`);
  }
  return undefined;
}
