import { Elysia, t } from "elysia";
import type { UserProfile } from "../../gen/eco2/my/v1/my_pb.ts";
import type { ServiceClients } from "../clients.ts";
import { isoTime, isoTimeOrNull } from "./wire.ts";

const profile = t.Object({
  display_name: t.String(),
  nickname: t.String(),
  // Not in the original backend's answer, but the client's splash screen requires it (CONTRACT A.1).
  username: t.String(),
  phone_number: t.Nullable(t.String()),
  provider: t.String(),
  last_login_at: t.Nullable(t.String({ format: "date-time" })),
});

function profileJson(user: UserProfile | undefined): typeof profile.static {
  if (!user) throw new Error("my service answered without a profile");
  return {
    display_name: user.displayName,
    nickname: user.nickname,
    username: user.username,
    phone_number: user.phoneNumber ?? null,
    provider: user.provider,
    last_login_at: isoTimeOrNull(user.lastLoginAt),
  };
}

const ownedCharacter = t.Object({
  id: t.String(),
  code: t.String(),
  name: t.String(),
  type: t.String(),
  dialog: t.String(),
  acquired_at: t.String({ format: "date-time" }),
});

// The session's provider reaches the my service once the auth plugin knows it; until then the
// service picks the most recently used social account, as the contract's fallback says.
const SESSION_PROVIDER = "";

/** usersRoutes are the caller's own account and character collection (CONTRACT U1–U5) → MyService. */
export function usersRoutes(clients: ServiceClients) {
  return new Elysia({
    name: "eco2/routes/users",
    prefix: "/api/v1/users",
    detail: { tags: ["users"] },
  })
    .get(
      "/me",
      async () => {
        const answer = await clients.my.getProfile({ provider: SESSION_PROVIDER });
        return profileJson(answer.profile);
      },
      { response: profile, detail: { summary: "The caller's profile (U1)" } },
    )
    .patch(
      "/me",
      async ({ body }) => {
        // null and absent both mean "leave unchanged"; the service refuses a request changing nothing.
        const answer = await clients.my.updateProfile({
          nickname: body.nickname ?? undefined,
          phoneNumber: body.phone_number ?? undefined,
          provider: SESSION_PROVIDER,
        });
        return profileJson(answer.profile);
      },
      {
        body: t.Object({
          nickname: t.Optional(t.Nullable(t.String({ minLength: 1, maxLength: 120 }))),
          phone_number: t.Optional(t.Nullable(t.String({ minLength: 10, maxLength: 20 }))),
        }),
        response: profile,
        detail: {
          summary:
            "Change nickname and/or phone number (U2); 422 NO_CHANGES_PROVIDED, INVALID_PHONE_NUMBER",
        },
      },
    )
    .delete(
      "/me",
      async ({ set }) => {
        await clients.my.deleteAccount({});
        set.status = 204;
      },
      {
        detail: {
          summary: "Delete the account, its social logins and characters (U4)",
          responses: { 204: { description: "Deleted" } },
        },
      },
    )
    .get(
      "/me/characters",
      async () => {
        const answer = await clients.my.listCharacters({});
        return answer.characters.map((owned) => ({
          id: owned.id,
          code: owned.code,
          name: owned.name,
          type: owned.type,
          dialog: owned.dialog,
          acquired_at: isoTime(owned.acquiredAt),
        }));
      },
      {
        response: t.Array(ownedCharacter),
        detail: { summary: "The caller's characters, a bare array (U3)" },
      },
    )
    .get(
      "/me/characters/:character_name/ownership",
      async ({ params: { character_name } }) => {
        const answer = await clients.my.getCharacterOwnership({ characterName: character_name });
        return { character_name: answer.characterName, owned: answer.owned };
      },
      {
        params: t.Object({ character_name: t.String({ minLength: 1 }) }),
        response: t.Object({ character_name: t.String(), owned: t.Boolean() }),
        detail: { summary: "Whether the caller owns a character (U5)" },
      },
    );
}
