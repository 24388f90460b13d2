import { readFileSync } from "node:fs";
import type { Finding, SubAgent } from "./types.ts";

interface PriceTable {
  출처: string;
  조사_시점: string;
  안내: string;
  단위: string;
  품목: { 이름: string; 별칭: string[]; 가격: number }[];
  보증금: { 출처: string; 별칭: string[]; 항목: { 이름: string; 가격: number }[] };
  없는_품목: string;
}

/** The shipped table (prices.json): indicative survey prices and the legal bottle deposits. */
export function loadPriceTable(): PriceTable {
  return JSON.parse(readFileSync(new URL("./prices.json", import.meta.url), "utf8"));
}

const won = (n: number) => `${n.toLocaleString("ko-KR")}원`;

function mentions(text: string, alias: string): boolean {
  return /^[a-z ]+$/.test(alias) ? new RegExp(`\\b${alias}\\b`).test(text) : text.includes(alias);
}

/**
 * priceAgent reads our own price table: the items the message names (all of them when it names
 * none), the bottle deposit when asked, always with the survey's source, date and the caution that
 * prices are indicative.
 */
export function priceAgent(table: PriceTable = loadPriceTable()): SubAgent {
  return async (turn): Promise<Finding> => {
    const text = turn.message.toLowerCase();
    const named = table.품목.filter((item) => item.별칭.some((a) => mentions(text, a)));
    const deposit = table.보증금.별칭.some((a) => text.includes(a));
    // Asked about something the survey does not cover: say so rather than list everything.
    const uncovered = named.length === 0 && /옷|구리|전선|copper|cloth/.test(text);
    const items = named.length > 0 || deposit || uncovered ? named : table.품목;
    const facts = items.map((item) => `${item.이름}: 약 ${won(item.가격)}/kg`);
    if (deposit) facts.push(...table.보증금.항목.map((d) => `${d.이름} 보증금: ${won(d.가격)}`));
    if (items.length === 0 && !deposit) facts.push(table.없는_품목);
    facts.push(`출처: ${table.출처}, ${table.조사_시점}. ${table.안내}`);
    if (deposit) facts.push(`보증금 출처: ${table.보증금.출처}`);
    return {
      intent: "recyclable_price",
      found: true,
      facts,
      result: {
        items: items.map((i) => ({ name: i.이름, won_per_kg: i.가격 })),
        deposit,
        source: table.출처,
        surveyed: table.조사_시점,
      },
      sources: [table.출처],
    };
  };
}
