import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type pg from "pg";
import type {
  CharacterService,
  ListOwnedResponse,
} from "../../gen/eco2/character/v1/character_pb.ts";
import { UserDeletedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import {
  type MyService,
  type OwnedCharacter,
  OwnedCharacterSchema,
  type UserProfile,
  UserProfileSchema,
} from "../../gen/eco2/my/v1/my_pb.ts";
import { enqueueEvent } from "../../lib/bus/enqueue-event.ts";
import { withTransaction } from "../../lib/db/with-transaction.ts";
import { callerProvider, domainError, type RpcClient, requireUserId } from "../../lib/rpc/index.ts";
import { displayName, nicknameOf, normalizePhoneNumber } from "./profile-rules.ts";
import * as store from "./store.ts";

export const USER_DELETED = "my.user_deleted";

const userNotFound = () => domainError(Code.NotFound, "USER_NOT_FOUND", "user not found");

/** profileOf shapes an account as the contract shows it; `provider` per the contract's rule. */
function profileOf(
  account: store.AccountRow,
  logins: readonly store.SocialLogin[],
  sessionProvider: string,
): UserProfile {
  const shown = displayName(account);
  const provider =
    logins.find((login) => login.provider === sessionProvider)?.provider ??
    logins[0]?.provider ??
    sessionProvider;
  return create(UserProfileSchema, {
    userId: account.id,
    displayName: shown,
    nickname: nicknameOf(account),
    // The client's splash screen needs a username (CONTRACT A.1); the display name is ours.
    username: shown,
    phoneNumber: account.phone_number ?? undefined,
    provider,
    lastLoginAt: account.last_login_at ? timestampFromDate(account.last_login_at) : undefined,
    email: account.email ?? "",
    profileImageUrl: account.profile_image_url ?? "",
  });
}

/** The collection as U3 shows it, from the character service's ownership records. */
function ownedCharacterOf(owned: ListOwnedResponse["characters"][number]): OwnedCharacter {
  const card = owned.character;
  return create(OwnedCharacterSchema, {
    id: card?.id ?? "",
    code: card?.code ?? "",
    name: card?.name ?? "",
    type: card?.type ?? "",
    dialog: card?.dialog ?? "",
    acquiredAt: owned.acquiredAt,
  });
}

async function profileFor(pool: pg.Pool, userId: string, provider: string): Promise<UserProfile> {
  const [account, logins] = await Promise.all([
    store.findAccount(pool, userId),
    store.socialLogins(pool, userId),
  ]);
  if (!account) throw userNotFound();
  return profileOf(account, logins, provider);
}

/** signIn finds or creates the account of a social login; a concurrent first login wins once. */
async function signIn(pool: pg.Pool, login: store.NewSocialAccount) {
  const existing = await store.signInExisting(pool, login.provider, login.providerUserId);
  if (existing) return { account: existing, created: false };
  const created = await withTransaction(pool, async (tx) => {
    const account = await store.createWithSocial(tx, login);
    // Another request created this login first: undo ours and use theirs.
    if (!account) throw new LostCreateRace();
    return account;
  }).catch((err) => {
    if (err instanceof LostCreateRace) return undefined;
    throw err;
  });
  if (created) return { account: created, created: true };
  const winner = await store.signInExisting(pool, login.provider, login.providerUserId);
  if (!winner) throw domainError(Code.Aborted, "LOGIN_CONFLICT", "sign-in raced a deletion; retry");
  return { account: winner, created: false };
}

class LostCreateRace extends Error {}

function requireText(value: string, field: string): string {
  if (!value.trim())
    throw domainError(Code.InvalidArgument, "INVALID_ARGUMENT", `${field} is required`);
  return value.trim();
}

/** myHandlers implements MyService on the `my` schema. */
export function myHandlers(
  pool: pg.Pool,
  characters: RpcClient<typeof CharacterService>,
): Partial<ServiceImpl<typeof MyService>> {
  return {
    async getOrCreateFromOAuth(request) {
      const login = {
        provider: requireText(request.provider, "provider"),
        providerUserId: requireText(request.providerUserId, "provider_user_id"),
        email: request.email.trim(),
        nickname: request.nickname.trim(),
        profileImageUrl: request.profileImageUrl.trim(),
      };
      const { account, created } = await signIn(pool, login);
      const logins = await store.socialLogins(pool, account.id);
      return { profile: profileOf(account, logins, login.provider), created };
    },

    async getProfile(request) {
      const userId = requireUserId();
      return { profile: await profileFor(pool, userId, request.provider || callerProvider()) };
    },

    async updateProfile(request) {
      const userId = requireUserId();
      const nickname = request.nickname?.trim();
      if (!nickname && request.phoneNumber === undefined) {
        throw domainError(Code.InvalidArgument, "NO_CHANGES_PROVIDED", "nothing to change");
      }
      let phoneNumber: string | undefined;
      if (request.phoneNumber !== undefined) {
        phoneNumber = normalizePhoneNumber(request.phoneNumber);
        if (!phoneNumber) {
          throw domainError(
            Code.InvalidArgument,
            "INVALID_PHONE_NUMBER",
            "not a Korean mobile number",
          );
        }
      }
      const updated = await store
        .updateAccount(pool, userId, { nickname, phoneNumber })
        .catch((err) => {
          if ((err as { code?: string }).code === "23505") {
            throw domainError(
              Code.AlreadyExists,
              "PHONE_NUMBER_IN_USE",
              "this phone number belongs to another account",
            );
          }
          throw err;
        });
      if (!updated) throw userNotFound();
      const logins = await store.socialLogins(pool, userId);
      return { profile: profileOf(updated, logins, request.provider || callerProvider()) };
    },

    async deleteAccount() {
      const userId = requireUserId();
      await withTransaction(pool, async (tx) => {
        if (!(await store.deleteAccount(tx, userId))) throw userNotFound();
        // In the same transaction: the event exists exactly when the account is gone.
        await enqueueEvent(tx, {
          schema: "my",
          routingKey: USER_DELETED,
          schemaDesc: UserDeletedSchema,
          event: { userId, deletedAt: timestampFromDate(new Date()) },
        });
      });
      return {};
    },

    async listCharacters() {
      requireUserId();
      // The caller's identity travels with the call; the character service owns the collection.
      const owned = await characters.listOwned({});
      return { characters: owned.characters.map(ownedCharacterOf) };
    },

    async getCharacterOwnership(request) {
      requireUserId();
      const name = requireText(request.characterName, "character_name");
      const { owned } = await characters.getOwnership({ characterName: name });
      return { characterName: name, owned };
    },
  };
}
