// Opening state of a site now, in Asia/Seoul (CONTRACT §3.4): KECO sites publish one free-text
// column per weekday ("09:00 ~ 18:00", "08시~22시", "휴무", "상시").

export interface WeeklyHours {
  readonly mon: string | null;
  readonly tues: string | null;
  readonly wed: string | null;
  readonly thur: string | null;
  readonly fri: string | null;
  readonly sat: string | null;
  readonly sun: string | null;
}

export interface OpeningState {
  readonly isOpen: boolean | null;
  readonly isHoliday: boolean | null;
  readonly startTime: string | null;
  readonly endTime: string | null;
}

const UNKNOWN: OpeningState = { isOpen: null, isHoliday: null, startTime: null, endTime: null };
const DAY_KEYS: readonly (keyof WeeklyHours)[] = [
  "sun",
  "mon",
  "tues",
  "wed",
  "thur",
  "fri",
  "sat",
];

// Intl is the runtime-neutral way to read a wall clock in another zone; one formatter is reused.
const SEOUL = new Intl.DateTimeFormat("en-US", {
  timeZone: "Asia/Seoul",
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const WEEKDAY_INDEX: Record<string, number> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

/** The wall clock in Seoul: weekday (0 = Sunday) and minutes since midnight. */
export interface SeoulClock {
  readonly weekday: number;
  readonly minutes: number;
}

/** seoulClock reads Seoul's wall clock at `now` (once per request: Intl formatting is not free). */
export function seoulClock(now: Date): SeoulClock {
  const parts = Object.fromEntries(SEOUL.formatToParts(now).map((p) => [p.type, p.value]));
  return {
    weekday: WEEKDAY_INDEX[parts.weekday ?? "Sun"] ?? 0,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

// "09:00 ~ 18:00", "9:30-12:00", "08시~22시", "08시30분~22시".
const RANGE =
  /(\d{1,2})\s*(?::\s*(\d{2})|시\s*(?:(\d{1,2})\s*분)?)\s*[~\-–]\s*(\d{1,2})\s*(?::\s*(\d{2})|시\s*(?:(\d{1,2})\s*분)?)?/;

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** parseRange reads the first time range of a day's text as minutes since midnight. */
export function parseRange(text: string): { start: number; end: number } | undefined {
  const m = RANGE.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2] ?? m[3] ?? 0);
  const end = Number(m[4]) * 60 + Number(m[5] ?? m[6] ?? 0);
  if (start > 24 * 60 || end > 24 * 60) return undefined;
  return { start, end };
}

/** withinRange: an end before the start means the range runs past midnight. */
function withinRange(minutes: number, range: { start: number; end: number }): boolean {
  if (range.end > range.start) return minutes >= range.start && minutes < range.end;
  return minutes >= range.start || minutes < range.end;
}

/** kecoOpeningState evaluates today's weekday column of a KECO site at `now`. */
export function kecoOpeningState(hours: WeeklyHours, now: Date): OpeningState {
  return kecoOpeningStateAt(hours, seoulClock(now));
}

function kecoOpeningStateAt(hours: WeeklyHours, clock: SeoulClock): OpeningState {
  const { weekday, minutes } = clock;
  const text = hours[DAY_KEYS[weekday] ?? "sun"]?.trim() ?? "";
  if (!text) return UNKNOWN;
  if (text.includes("휴무")) {
    return { isOpen: false, isHoliday: true, startTime: null, endTime: null };
  }
  const range = parseRange(text);
  if (range) {
    return {
      isOpen: withinRange(minutes, range),
      isHoliday: false,
      startTime: hhmm(range.start),
      endTime: hhmm(range.end),
    };
  }
  // "상시" (always) or "24시간": open around the clock.
  if (text.includes("상시") || text.includes("24시간")) {
    return { isOpen: true, isHoliday: false, startTime: "00:00", endTime: "24:00" };
  }
  return { ...UNKNOWN, isHoliday: false };
}

/** openingState per source: KECO from its weekly hours, zero-waste shops publish none (closed). */
export function openingState(source: string, hours: WeeklyHours, clock: SeoulClock): OpeningState {
  if (source === "keco") return kecoOpeningStateAt(hours, clock);
  if (source === "zerowaste") return { ...UNKNOWN, isOpen: false };
  return UNKNOWN;
}
