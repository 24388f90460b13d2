import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/** The shipped catalog file, beside this module. */
export const CATALOG_FILE = fileURLToPath(new URL("./catalog.json", import.meta.url));

const Text = Type.String({ minLength: 1 });

const CharacterSchema = Type.Object(
  {
    code: Text,
    name: Text,
    // The waste middle category the character is earned by (CONTRACT §3.3).
    match_label: Text,
    cdn_code: Text,
    // The item description that users see as the character's "type".
    type: Text,
    dialog: Text,
  },
  { additionalProperties: false },
);
export type Character = Static<typeof CharacterSchema>;

const CatalogFileSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    출처: Text,
    작성일: Text,
    default: Text,
    characters: Type.Array(CharacterSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** The character catalog: every character in display order, and the default one. */
export interface Catalog {
  readonly characters: readonly Character[];
  readonly defaultCharacter: Character;
  /** byMiddleCategory finds the character earned by a waste middle category. */
  byMiddleCategory(middle: string): Character | undefined;
  /** mentionedIn finds a character whose name appears in free text, longest name first. */
  mentionedIn(text: string): Character | undefined;
}

/** CatalogError lists what is wrong with a catalog file. */
export class CatalogError extends Error {
  override readonly name = "CatalogError";
  constructor(readonly problems: readonly string[]) {
    super(`character catalog is invalid:\n  ${problems.join("\n  ")}`);
  }
}

/** loadCatalog reads and checks the catalog; codes, names and match labels must be unique. */
export async function loadCatalog(file: string = CATALOG_FILE): Promise<Catalog> {
  return createCatalog(JSON.parse(await readFile(file, "utf8")));
}

/** createCatalog checks parsed catalog data and indexes it. */
export function createCatalog(data: unknown): Catalog {
  if (!Value.Check(CatalogFileSchema, data)) {
    throw new CatalogError(
      [...Value.Errors(CatalogFileSchema, data)].map((e) => `${e.path || "/"} ${e.message}`),
    );
  }
  const { characters } = data;
  const problems = [
    ...duplicates(
      characters.map((c) => c.code),
      "code",
    ),
    ...duplicates(
      characters.map((c) => c.name),
      "name",
    ),
    ...duplicates(
      characters.map((c) => c.match_label),
      "match_label",
    ),
  ];
  const defaultCharacter = characters.find((c) => c.code === data.default);
  if (!defaultCharacter) problems.push(`default ${data.default} is not in the catalog`);
  if (problems.length > 0 || !defaultCharacter) throw new CatalogError(problems);
  const byLabel = new Map(characters.map((c) => [c.match_label, c]));
  byLabel.delete(defaultCharacter.match_label);
  const byNameLength = [...characters].sort((a, b) => b.name.length - a.name.length);
  return {
    characters,
    defaultCharacter,
    byMiddleCategory: (middle) => byLabel.get(middle.normalize("NFC")),
    mentionedIn: (text) => {
      const folded = text.normalize("NFC");
      return byNameLength.find((c) => folded.includes(c.name));
    },
  };
}

function duplicates(values: string[], what: string): string[] {
  const seen = new Set<string>();
  return values.flatMap((value) => {
    if (!seen.has(value)) {
      seen.add(value);
      return [];
    }
    return [`${what} ${value} appears twice`];
  });
}
