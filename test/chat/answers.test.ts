// The acceptance messages of issue 12, each through the gateway against the real servers (npm
// start on PostgreSQL, Redis and RabbitMQ when their URLs are set), over SSE and the WebSocket:
// the right intent, a streamed answer whose tokens spell done's answer, naming the right rule,
// place or character.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type RunningProcess, stopProcess } from "../support/processes.ts";
import {
  askOverSse,
  bearerSocket,
  type ChatSocketClient,
  type ChatUser,
  call,
  createChat,
  type MessageBody,
  type SocketFrame,
  signIn,
  startChatSystem,
  tokenText,
} from "./chat-client.ts";

const CITY_HALL = { latitude: 37.5665, longitude: 126.978 };

let system: RunningProcess;
let base: string;
let user: ChatUser;
let socket: ChatSocketClient;
let nearbyPlaces: string[];
let plasticCharacter: string;

beforeAll(async () => {
  ({ system, base } = await startChatSystem());
  user = await signIn(base, "chat-answers");
  socket = bearerSocket(base, user);
  await socket.opened;
  const centers = await call(
    base,
    user,
    "GET",
    `/api/v1/locations/centers?lat=${CITY_HALL.latitude}&lon=${CITY_HALL.longitude}&radius=10000`,
  );
  // The agent picks collection points among the location service's sites; any real one nearby
  // (not an invented name) is the right kind of answer.
  nearbyPlaces = centers.body.map((c: { name: string }) => c.name);
  const catalog = await call(base, user, "GET", "/api/v1/character/catalog");
  plasticCharacter = catalog.body.find(
    (c: { match: string | null }) => c.match === "플라스틱류",
  )?.name;
}, 120_000);

afterAll(async () => {
  socket?.close();
  await stopProcess(system);
}, 15_000);

/** Every intent the job reports: done's result.intent and the intent stage's result. */
function intentsOf(events: readonly SocketFrame[]): Set<string> {
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === "string") found.add(value);
    if (Array.isArray(value)) for (const v of value) add(v);
  };
  for (const event of events) {
    const result = event.data?.result;
    if (!result || typeof result !== "object") continue;
    if (event.event === "done" || event.event === "intent") {
      add(result.intent);
      add(result.intents);
    }
  }
  return found;
}

const CASES: {
  name: string;
  body: () => MessageBody;
  intents: string[];
  names: () => string[][];
}[] = [
  {
    name: "페트병은 어떻게 버려? → waste, the clear PET rule",
    body: () => ({ message: "페트병은 어떻게 버려?" }),
    intents: ["waste"],
    names: () => [["페트"], ["라벨", "무색페트병", "투명"]],
  },
  {
    name: "종이 버리는 법이랑 근처 수거함도 알려줘 (with a location) → waste + collection_point, a place nearby",
    body: () => ({ message: "종이 버리는 법이랑 근처 수거함도 알려줘", user_location: CITY_HALL }),
    intents: ["waste", "collection_point"],
    names: () => [["종이"], nearbyPlaces],
  },
  {
    name: "소파 버리려면? → bulk_waste, the large-waste rule",
    body: () => ({ message: "소파 버리려면?" }),
    intents: ["bulk_waste"],
    names: () => [["대형"]],
  },
  {
    name: "플라스틱 버리면 어떤 캐릭터 얻어? → character, the plastic character",
    body: () => ({ message: "플라스틱 버리면 어떤 캐릭터 얻어?" }),
    intents: ["character"],
    names: () => [[plasticCharacter]],
  },
];

function expectAnswer(events: readonly SocketFrame[], expected: (typeof CASES)[number]) {
  expect(events[0]?.event).toBe("queued");
  const done = events.at(-1)!;
  expect(done.event).toBe("done");
  expect(done.data).toMatchObject({ status: "completed", progress: 100 });
  const answer: string = done.data.result.answer;
  expect(tokenText(events)).toBe(answer);
  const intents = intentsOf(events);
  for (const intent of expected.intents) expect(intents).toContain(intent);
  // Each group: the answer names at least one of its words.
  for (const group of expected.names()) {
    expect(group.length).toBeGreaterThan(0);
    if (!group.some((word) => answer.includes(word))) {
      throw new Error(`answer names none of ${group.join(", ")}: ${answer}`);
    }
  }
}

describe("the four example messages over SSE", () => {
  for (const example of CASES) {
    it(example.name, async () => {
      const chatId = await createChat(base, user);
      const { events } = await askOverSse(base, user, chatId, example.body());
      expectAnswer(events, example);
    }, 60_000);
  }
});

describe("the four example messages over one WebSocket, at once", () => {
  it("each ends with its intent and answer, none crossing another", async () => {
    const chats = await Promise.all(CASES.map(() => createChat(base, user)));
    const answers = await Promise.all(
      CASES.map((example, i) => socket.ask(chats[i]!, example.body())),
    );
    for (const [i, { events }] of answers.entries()) expectAnswer(events, CASES[i]!);
  }, 90_000);
});
