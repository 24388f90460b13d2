import { componentSpec } from "../../catalog/components.ts";
import { AuthService } from "../../gen/eco2/auth/v1/auth_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { authHandlers } from "./handlers.ts";

/** The auth service signs users in and issues, rotates and revokes tokens. */
export const authComponent = defineComponent(componentSpec("auth"), () => ({
  services: [defineService(AuthService, authHandlers())],
}));
