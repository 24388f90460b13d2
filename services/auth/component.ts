import { AuthService } from "../../gen/eco2/auth/v1/auth_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { DEFAULT_GRPC_PORTS } from "../components.ts";
import { authHandlers } from "./handlers.ts";

/** The auth service signs users in and issues, rotates and revokes tokens. */
export const authComponent = defineComponent({
  name: "auth",
  defaultGrpcPort: DEFAULT_GRPC_PORTS.auth,
  create: () => ({ services: [defineService(AuthService, authHandlers())] }),
});
