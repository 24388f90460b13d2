import type { ServiceImpl } from "@connectrpc/connect";
import type { AuthService } from "../../gen/eco2/auth/v1/auth_pb.ts";

/** authHandlers implements AuthService; methods not built yet answer UNIMPLEMENTED. */
export function authHandlers(): Partial<ServiceImpl<typeof AuthService>> {
  return {};
}
