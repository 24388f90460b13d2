// Nearby drop-off places (L1) around the browser's location or Seoul City Hall, nearest first,
// with their opening state and client-side category filters, as the real client filters.
import { call } from "./api.ts";
import { byId, el, notify } from "./dom.ts";
import { attempt } from "./session.ts";

interface Place {
  id: number;
  name: string;
  source: string;
  road_address: string | null;
  distance_km: number;
  distance_text: string | null;
  store_category: string;
  pickup_categories: string[];
  is_holiday: boolean | null;
  is_open: boolean | null;
  start_time: string | null;
  end_time: string | null;
  phone: string | null;
}

const CITY_HALL = { lat: 37.5665, lon: 126.978, label: "서울시청" };
const RADIUS_METRES = 3000;

const PICKUP_LABELS: Record<string, string> = {
  clear_pet: "투명 페트병",
  colored_pet: "유색 페트병",
  can: "캔",
  paper: "종이",
  plastic: "플라스틱",
  glass: "유리병",
  textile: "의류",
  electronics: "전자제품",
  general: "일반",
};

let places: Place[] = [];
let filter = "all";

export function wirePlaces(): void {
  byId("places-cityhall").addEventListener("click", () => attempt(() => search(CITY_HALL)));
  byId("places-here").addEventListener("click", () => {
    if (!navigator.geolocation) return notify("이 브라우저는 위치를 알려 주지 않아요.");
    navigator.geolocation.getCurrentPosition(
      (position) =>
        attempt(() =>
          search({
            lat: position.coords.latitude,
            lon: position.coords.longitude,
            label: "내 위치",
          }),
        ),
      () => notify("위치를 가져오지 못했어요. 서울시청 기준으로 찾아보세요."),
      { timeout: 10_000 },
    );
  });
}

/** showCityHall is the tab's first view: no permission prompt before the person asks. */
export function showCityHall(): Promise<void> {
  return places.length > 0 ? Promise.resolve() : search(CITY_HALL);
}

async function search(at: { lat: number; lon: number; label: string }): Promise<void> {
  const query = new URLSearchParams({
    lat: String(at.lat),
    lon: String(at.lon),
    radius: String(RADIUS_METRES),
  });
  const found = await call<Place[]>("GET", `/api/v1/locations/centers?${query}`);
  places = [...found].sort((a, b) => a.distance_km - b.distance_km);
  filter = "all";
  byId("places-origin").textContent =
    `${at.label} 기준 ${RADIUS_METRES / 1000}km 안 ${places.length}곳, 가까운 순`;
  render();
}

function render(): void {
  const categories = [...new Set(places.flatMap((place) => place.pickup_categories))];
  byId("places-filters").replaceChildren(
    ...["all", ...categories].map((category) => chip(category)),
  );
  const shown = places.filter(
    (place) => filter === "all" || place.pickup_categories.includes(filter),
  );
  byId("places").replaceChildren(
    ...(shown.length > 0 ? shown.map(placeItem) : [el("li", {}, "조건에 맞는 곳이 없어요.")]),
  );
}

function chip(category: string): HTMLButtonElement {
  const label = category === "all" ? "전체" : (PICKUP_LABELS[category] ?? category);
  const button = el("button", { class: category === filter ? "active" : "" }, label);
  button.addEventListener("click", () => {
    filter = category;
    render();
  });
  return button;
}

function placeItem(place: Place): HTMLLIElement {
  return el(
    "li",
    {},
    el("strong", {}, place.name),
    " ",
    el("span", { class: "muted" }, place.distance_text ?? `${place.distance_km.toFixed(1)}km`),
    el("div", {}, openingBadge(place), ...place.pickup_categories.map(categoryBadge)),
    place.road_address && el("div", { class: "muted" }, place.road_address),
    place.phone && el("div", { class: "muted" }, `☎ ${place.phone}`),
  );
}

function categoryBadge(category: string): HTMLElement {
  return el("span", { class: "badge off" }, PICKUP_LABELS[category] ?? category);
}

function openingBadge(place: Place): HTMLElement {
  const hours = place.start_time && place.end_time ? ` ${place.start_time}–${place.end_time}` : "";
  if (place.is_holiday) return el("span", { class: "badge off" }, "오늘 휴무");
  if (place.is_open === true) return el("span", { class: "badge" }, `영업 중${hours}`);
  if (place.is_open === false) return el("span", { class: "badge off" }, `영업 종료${hours}`);
  return el("span", { class: "badge off" }, "운영 정보 없음");
}
