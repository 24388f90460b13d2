// My characters (U3): a bare array; a new user sees the default 이코.
import { call } from "./api.ts";
import { byId, el } from "./dom.ts";

interface Character {
  name: string;
  type: string;
  dialog: string;
  acquired_at: string;
}

export async function loadCharacters(): Promise<void> {
  const characters = await call<Character[]>("GET", "/api/v1/users/me/characters");
  const list = byId("characters");
  if (characters.length === 0) {
    list.replaceChildren(el("li", {}, "아직 캐릭터가 없어요. 스캔으로 만나 보세요!"));
    return;
  }
  list.replaceChildren(
    ...characters.map((character) =>
      el(
        "li",
        {},
        el("strong", {}, character.name),
        el("div", { class: "muted" }, character.type),
        el("p", {}, character.dialog),
      ),
    ),
  );
}
