// The demo page's entry (issue 13): signs in, then shows one tab at a time. Bundled by
// gateway/demo-bundle.ts; it speaks only the public API, as the real client does.
import { messageOf } from "./api.ts";
import { loadCharacters } from "./characters.ts";
import { openChatTab, wireChat } from "./chat.ts";
import { ChatChannel } from "./chat-channel.ts";
import { byId, notify } from "./dom.ts";
import { startNews } from "./news.ts";
import { showCityHall, wirePlaces } from "./places.ts";
import { wireScan } from "./scan.ts";
import { attempt, loadProfile, showProfile, wireSession } from "./session.ts";

const chatChannel = new ChatChannel();

/** What opening a tab loads; tabs missing here show only what is already on the page. */
const ON_OPEN: Record<string, () => Promise<void>> = {
  characters: loadCharacters,
  places: showCityHall,
  news: async () => startNews(),
  chat: () => openChatTab(chatChannel),
};

function openTab(name: string): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
    button.classList.toggle("active", button.dataset.tab === name);
  }
  for (const section of document.querySelectorAll<HTMLElement>(".tab")) {
    section.hidden = section.id !== `tab-${name}`;
  }
  const load = ON_OPEN[name];
  if (load) void attempt(load);
}

/** render shows the login card or the app, from whether /users/me answers. */
async function render(): Promise<void> {
  const profile = await loadProfile();
  byId("login").hidden = profile !== null;
  byId("app").hidden = profile === null;
  if (profile) showProfile(profile);
  else byId("who").textContent = "";
}

function start(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
    button.addEventListener("click", () => openTab(button.dataset.tab ?? "scan"));
  }
  wireSession(render);
  wireScan();
  wirePlaces();
  wireChat(chatChannel);
  render().catch((err: unknown) => {
    byId("login").hidden = false;
    notify(messageOf(err));
  });
}

start();
