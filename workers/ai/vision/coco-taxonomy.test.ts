import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { COCO_LABELS } from "./coco-labels.ts";
import { COCO_TO_TAXONOMY } from "./coco-taxonomy.ts";
import { buildTaxonomy, isValidPlace } from "./waste-taxonomy.ts";

// The info service's originals: the test reads them, the worker never imports them.
const knowledge = new URL("../../../services/info/knowledge/", import.meta.url);
const original = (name: string) => JSON.parse(readFileSync(new URL(name, knowledge), "utf8"));
const taxonomy = buildTaxonomy(original("taxonomy.json"), original("situation-tags.json"));
const shipped = (name: string) => JSON.parse(readFileSync(new URL(name, import.meta.url), "utf8"));

describe("COCO_TO_TAXONOMY", () => {
  it("has an entry for each of the 80 COCO classes", () => {
    expect(COCO_LABELS).toHaveLength(80);
    expect(Object.keys(COCO_TO_TAXONOMY).sort()).toEqual([...COCO_LABELS].sort());
  });

  it("names a real taxonomy place and real situation tags for every mapped class", () => {
    for (const [label, guess] of Object.entries(COCO_TO_TAXONOMY)) {
      if (!guess) continue;
      expect({ label, valid: isValidPlace(taxonomy, guess) }).toEqual({ label, valid: true });
      for (const tag of guess.tags)
        expect({ label, tag, known: taxonomy.tags.has(tag) }).toEqual({ label, tag, known: true });
    }
  });

  it("maps the disposable classes and leaves people, animals and vehicles out", () => {
    const disposable = [
      "bottle",
      "wine glass",
      "cup",
      "fork",
      "knife",
      "spoon",
      "bowl",
      "cell phone",
      "laptop",
      "tv",
      "book",
      "scissors",
      "umbrella",
      "chair",
      "couch",
      "bed",
      "toaster",
      "microwave",
      "oven",
      "refrigerator",
      "hair drier",
      "vase",
      "teddy bear",
      "backpack",
      "handbag",
      "suitcase",
      "keyboard",
      "mouse",
      "remote",
      "clock",
      "toothbrush",
      "sports ball",
      "frisbee",
      "skateboard",
      "banana",
      "apple",
      "sandwich",
      "orange",
      "broccoli",
      "carrot",
      "hot dog",
      "pizza",
      "donut",
      "cake",
    ] as const;
    for (const label of disposable)
      expect({ label, mapped: COCO_TO_TAXONOMY[label] !== null }).toEqual({ label, mapped: true });
    for (const label of [
      "person",
      "dog",
      "cat",
      "car",
      "bus",
      "airplane",
      "traffic light",
    ] as const) {
      expect(COCO_TO_TAXONOMY[label]).toBeNull();
    }
    expect(COCO_TO_TAXONOMY.bottle).toMatchObject({ major: "재활용폐기물", middle: "무색페트병" });
  });
});

describe("shipped taxonomy copies", () => {
  it("equal the info service's knowledge files (copy them again when these change)", () => {
    expect(shipped("./taxonomy.json")).toEqual(original("taxonomy.json"));
    expect(shipped("./situation-tags.json")).toEqual(original("situation-tags.json"));
  });
});
