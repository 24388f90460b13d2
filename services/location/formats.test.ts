import { describe, expect, it } from "bun:test";
import { gzipSync } from "node:zlib";
import { pickupCategories, storeCategory } from "./categories.ts";
import {
  decodeText,
  KECO_COLUMNS,
  parseSiteFile,
  UnreadableFileError,
  zeroWasteId,
} from "./formats.ts";
import { kecoOpeningState, parseRange } from "./hours.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const KECO_HEADER = KECO_COLUMNS.join(",");
const kecoRow = (cells: Partial<Record<(typeof KECO_COLUMNS)[number], string>>) =>
  KECO_COLUMNS.map((c) => `"${(cells[c] ?? "").replaceAll('"', '""')}"`).join(",");
const ZW_HEADER =
  "folderId,seq,favoriteType,color,memo,display1,display2,x,y,lon,lat,key,createdAt,updatedAt";

describe("parseSiteFile", () => {
  it("reads a raw KECO CSV, gzipped or not, with the first line of each multi-line row", () => {
    const text = [
      KECO_HEADER,
      kecoRow({
        positnSn: "5",
        positnNm: "가게",
        positnIntdcCn: "첫 줄\n둘째 줄",
        positnPstnLat: "37.5",
        positnPstnLot: "127",
      }),
      "",
      kecoRow({ positnSn: "6", positnNm: "둘째", positnPstnLat: "", positnPstnLot: "" }),
    ].join("\n");
    for (const input of [bytes(text), new Uint8Array(gzipSync(bytes(text)))]) {
      const parsed = parseSiteFile(input);
      expect(parsed.format).toBe("keco");
      expect(parsed.errors).toEqual([]);
      expect(parsed.records.map((r) => [r.line, r.id, r.source, r.sourcePk, r.latitude])).toEqual([
        [2, "5", "keco", "5", 37.5],
        [5, "6", "keco", "6", null],
      ]);
    }
  });

  it("reads a zero-waste export with an id derived from its key", () => {
    const parsed = parseSiteFile(
      bytes(
        `${ZW_HEADER}\n1,7,PLACE,2,,알맹상점,서울 마포구,1,2,126.91,37.55,K1,2024-01-01,2024-01-01\n`,
      ),
    );
    expect(parsed.format).toBe("zerowaste");
    const [site] = parsed.records;
    expect(site).toMatchObject({ source: "zerowaste", sourcePk: "K1", id: zeroWasteId("K1") });
    expect(site?.fields.positnNm).toBe("알맹상점");
    expect(BigInt(site?.id ?? 0) >= 2n ** 32n).toBe(true);
    expect(JSON.parse(site?.metadata ?? "{}")).toMatchObject({ key: "K1", display1: "알맹상점" });
  });

  it("lists malformed rows with their line numbers", () => {
    const text = [
      KECO_HEADER,
      kecoRow({ positnSn: "1", positnPstnLat: "37", positnPstnLot: "127" }),
      kecoRow({ positnSn: "abc" }),
      "1,2,3",
      kecoRow({ positnSn: "1" }),
      kecoRow({ positnSn: "9", positnPstnLat: "37", positnPstnLot: "127.7.23106" }),
    ].join("\n");
    const parsed = parseSiteFile(bytes(text));
    expect(parsed.errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(parsed.errors[2]?.message).toContain("duplicate keco/1");
    // A mistyped coordinate keeps the site, without a map point, and says so.
    expect(parsed.warnings).toEqual([{ line: 6, message: expect.stringContaining("127.7.23106") }]);
  });

  it("refuses a file that is none of the three formats", () => {
    expect(() => parseSiteFile(bytes("a,b\n1,2\n"))).toThrow(UnreadableFileError);
    expect(() => parseSiteFile(bytes(""))).toThrow(UnreadableFileError);
  });

  it("decodes EUC-KR exports", () => {
    // "가" in EUC-KR.
    expect(decodeText(new Uint8Array([0xb0, 0xa1]))).toBe("가");
  });
});

describe("categories (§3.4)", () => {
  it("takes the first store category whose keyword appears", () => {
    expect(storeCategory(["알맹상점", "리필스테이션"])).toBe("refill_zero");
    expect(storeCategory(["동네 카페"])).toBe("cafe_bakery");
    expect(storeCategory(["자원순환가게", "재활용품을 가져오면"])).toBe("upcycle_recycle");
    expect(storeCategory(["Green stay"])).toBe("lodging");
    expect(storeCategory(["무인 보관"])).toBe("public_dropbox");
    expect(storeCategory(["아무개"])).toBe("general");
  });

  it("reads pickup categories from collected items, Latin words whole", () => {
    expect(
      pickupCategories(["투명페트병\n유색페트병\n판PET\n플라스틱(PE)\n종이박스\n알루미늄 캔"]),
    ).toEqual(["clear_pet", "colored_pet", "can", "paper", "plastic"]);
    // "paper" holds "pe" and "scan" holds "can": neither counts as plastic or can.
    expect(pickupCategories(["paper scan"])).toEqual(["paper"]);
    expect(pickupCategories([null, ""])).toEqual(["general"]);
  });
});

describe("opening hours in Asia/Seoul", () => {
  const week = {
    mon: "휴무",
    tues: "11:00 ~ 14:00",
    wed: "08시~22시",
    thur: "상시",
    fri: "22:00~02:00",
    sat: null,
    sun: "휴무",
  };
  // 2026-03-03 is a Tuesday; 03:00Z is 12:00 in Seoul (UTC+9).
  it("is open inside today's range and closed outside it", () => {
    expect(kecoOpeningState(week, new Date("2026-03-03T03:00:00Z"))).toEqual({
      isOpen: true,
      isHoliday: false,
      startTime: "11:00",
      endTime: "14:00",
    });
    expect(kecoOpeningState(week, new Date("2026-03-03T05:30:00Z")).isOpen).toBe(false);
  });
  it("uses Seoul's weekday, not UTC's: Monday 23:00Z is Tuesday in Seoul", () => {
    expect(kecoOpeningState(week, new Date("2026-03-02T23:00:00Z")).startTime).toBe("11:00");
    // Monday 10:00 in Seoul is a 휴무 day.
    expect(kecoOpeningState(week, new Date("2026-03-02T01:00:00Z"))).toEqual({
      isOpen: false,
      isHoliday: true,
      startTime: null,
      endTime: null,
    });
  });
  it("reads 시 ranges, 상시, ranges past midnight and empty days", () => {
    expect(parseRange("08시~22시")).toEqual({ start: 480, end: 1320 });
    expect(kecoOpeningState(week, new Date("2026-03-04T12:00:00Z")).isOpen).toBe(true); // Wed 21:00
    expect(kecoOpeningState(week, new Date("2026-03-05T12:00:00Z")).isOpen).toBe(true); // Thu 상시
    expect(kecoOpeningState(week, new Date("2026-03-06T14:00:00Z")).isOpen).toBe(true); // Fri 23:00
    expect(kecoOpeningState(week, new Date("2026-03-07T03:00:00Z")).isOpen).toBeNull(); // Sat: no text
  });
});
