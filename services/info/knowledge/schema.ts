import { type Static, Type } from "@sinclair/typebox";

/**
 * ICON_STEPS is the fixed vocabulary of a document's 아이콘_절차, so a client can keep one icon per
 * step and a typo in a document fails the schema test instead of showing a blank icon.
 */
export const ICON_STEPS = [
  "비우기",
  "헹구기",
  "분리하기",
  "섞지않기",
  "펼치기",
  "말리기",
  "압착하기",
  "뚜껑닫기",
  "묶기",
  "감싸기",
  "물기빼기",
  "가스빼기",
  "절연하기",
  "반납하기",
  "전용수거함",
  "종량제봉투",
  "전용마대",
  "방문수거",
  "신고하기",
  "수수료납부",
  "스티커부착",
] as const;

const Text = Type.String({ minLength: 1 });
const TextList = Type.Array(Text, { minItems: 1 });
const Day = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" });
const closed = { additionalProperties: false };

/**
 * A rule document (CONTRACT §6): one disposal category's target items, steps and exclusions.
 * Beyond §6's fields it carries version, 요약 (the guide list's one line), 출처 and 작성일, and
 * 배출불가_품목_분류, which names for each excluded item the document it goes to instead.
 */
export const RuleDocumentSchema = Type.Object(
  {
    key: Text,
    version: Type.Integer({ minimum: 1 }),
    category: Text,
    이름: Text,
    요약: Text,
    대상_품목: TextList,
    대상_설명: TextList,
    세부_품목: Type.Record(Type.String(), TextList),
    배출방법_공통: TextList,
    배출방법_세부: Type.Record(Type.String(), TextList),
    배출불가_품목_안내: Type.Record(Type.String(), Text),
    배출불가_품목_분류: Type.Record(Type.String(), Text),
    아이콘_절차: Type.Array(Type.Union(ICON_STEPS.map((step) => Type.Literal(step))), {
      minItems: 1,
    }),
    출처: TextList,
    작성일: Day,
  },
  closed,
);
export type RuleDocument = Static<typeof RuleDocumentSchema>;

const TaxonomyItemSchema = Type.Object(
  {
    name: Text,
    aliases: Type.Optional(Type.Array(Text)),
    // The taxonomy marks items that look like the category but are refused by it "(배출불가)".
    excluded: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type TaxonomyItem = Static<typeof TaxonomyItemSchema>;

const MiddleSchema = Type.Object(
  { name: Text, aliases: Type.Optional(Type.Array(Text)), items: Type.Array(TaxonomyItemSchema) },
  closed,
);
export type MiddleCategory = Static<typeof MiddleSchema>;

const MajorSchema = Type.Object(
  {
    name: Text,
    aliases: Type.Optional(Type.Array(Text)),
    // Named by the classifier's prompt but absent from the item list it is given.
    promptOnly: Type.Optional(Type.Boolean()),
    middles: Type.Optional(Type.Array(MiddleSchema, { minItems: 1 })),
    items: Type.Optional(Type.Array(TaxonomyItemSchema, { minItems: 1 })),
  },
  closed,
);
export type MajorCategory = Static<typeof MajorSchema>;

/** The waste taxonomy (CONTRACT §3.2): majors with middles and items, or majors with items. */
export const TaxonomySchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    출처: Text,
    작성일: Day,
    majors: Type.Array(MajorSchema),
    // Everyday words for things the taxonomy does not name (치킨뼈, 칫솔), by the guide they lead to.
    searchTerms: Type.Optional(Type.Record(Type.String(), Type.Array(Text))),
  },
  closed,
);
export type Taxonomy = Static<typeof TaxonomySchema>;

/** The situation tags (CONTRACT §3.2) in their groups. */
export const SituationTagsSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    출처: Text,
    작성일: Day,
    groups: Type.Array(Type.Object({ name: Text, tags: TextList }, closed), { minItems: 1 }),
  },
  closed,
);
export type SituationTags = Static<typeof SituationTagsSchema>;
