import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type pg from "pg";
import type {
  CharacterService,
  GrantRewardRequest,
} from "../../gen/eco2/character/v1/character_pb.ts";
import type { CharacterCard } from "../../gen/eco2/common/v1/common_pb.ts";
import { withTransaction } from "../../lib/db/with-transaction.ts";
import { domainError, requireUserId } from "../../lib/rpc/index.ts";
import type { Catalog, Character } from "./catalog.ts";
import * as store from "./store.ts";

/** The one category whose items earn characters (CONTRACT §3.2, reward stage). */
export const RECYCLABLE_MAJOR = "재활용폐기물";

type CardOf = (character: Character) => CharacterCard;

/**
 * rewardable: a recyclable item, with rules found, disposed of with nothing missing. Anything
 * else earns nothing, whatever the character match would say.
 */
function rewardable(request: GrantRewardRequest): boolean {
  return (
    request.classification?.majorCategory === RECYCLABLE_MAJOR &&
    request.disposalRulesPresent &&
    !request.insufficienciesPresent
  );
}

/**
 * grantOnce records the grant of a job once: a retried grant (redelivery, a restarted worker)
 * finds the first outcome, so `is_new` is true exactly once per user and character.
 */
async function grantOnce(
  pool: pg.Pool,
  grant: { userId: string; character: Character; source: string; sourceRef: string },
): Promise<boolean> {
  return withTransaction(pool, async (tx) => {
    // Serialise grants of one job, so two concurrent retries cannot both count as first.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [grant.sourceRef]);
    const earlier = await store.recordedGrant(tx, grant.sourceRef);
    if (earlier) return earlier.is_new;
    const isNew = await store.own(tx, {
      userId: grant.userId,
      code: grant.character.code,
      source: grant.source,
      sourceRef: grant.sourceRef,
    });
    await store.recordGrant(tx, { ...grant, code: grant.character.code, isNew });
    return isNew;
  });
}

/** ownershipHandlers implement the collection side of CharacterService on the `character` schema. */
export function ownershipHandlers(
  pool: pg.Pool,
  catalog: Catalog,
  cardOf: CardOf,
): Partial<ServiceImpl<typeof CharacterService>> {
  const byCode = new Map(catalog.characters.map((character) => [character.code, character]));
  return {
    async grantReward(request) {
      if (!request.userId || !request.sourceRef) {
        throw domainError(
          Code.InvalidArgument,
          "INVALID_GRANT",
          "user_id and source_ref are required",
        );
      }
      const middle = request.classification?.middleCategory ?? "";
      const character = rewardable(request) ? catalog.byMiddleCategory(middle) : undefined;
      if (!character)
        return { received: false, alreadyOwned: false, isNew: false, matchReason: "" };
      const isNew = await grantOnce(pool, {
        userId: request.userId,
        character,
        source: request.source || "scan",
        sourceRef: request.sourceRef,
      });
      return {
        received: true,
        alreadyOwned: !isNew,
        isNew,
        character: cardOf(character),
        matchReason: `${middle} 분리배출 성공`,
      };
    },

    async listOwned() {
      const userId = requireUserId();
      let rows = await store.ownedBy(pool, userId);
      if (rows.length === 0) {
        // Everyone starts with the default character; the first look grants it, once.
        await store.own(pool, {
          userId,
          code: catalog.defaultCharacter.code,
          source: "default",
          sourceRef: null,
        });
        rows = await store.ownedBy(pool, userId);
      }
      return {
        characters: rows.flatMap((row) => {
          const character = byCode.get(row.character_code);
          return character
            ? [
                {
                  character: cardOf(character),
                  acquiredAt: timestampFromDate(row.acquired_at),
                  source: row.source,
                },
              ]
            : [];
        }),
      };
    },

    async getOwnership({ characterName }) {
      const userId = requireUserId();
      const name = characterName.trim();
      if (!name)
        throw domainError(
          Code.InvalidArgument,
          "INVALID_CHARACTER_NAME",
          "character_name is required",
        );
      const character = catalog.characters.find((c) => c.name === name);
      if (!character) return { characterName: name, owned: false };
      if (character === catalog.defaultCharacter) return { characterName: name, owned: true };
      const owned = (await store.ownedBy(pool, userId)).some(
        (row) => row.character_code === character.code,
      );
      return { characterName: name, owned };
    },
  };
}
