import type { ServiceImpl } from "@connectrpc/connect";
import type { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";

/** characterHandlers implements CharacterService; methods not built yet answer UNIMPLEMENTED. */
export function characterHandlers(): Partial<ServiceImpl<typeof CharacterService>> {
  return {};
}
