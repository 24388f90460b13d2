import { componentSpec } from "../../catalog/components.ts";
import { MyService } from "../../gen/eco2/my/v1/my_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { myHandlers } from "./handlers.ts";

/** The my service owns user accounts, social identities and character collections. */
export const myComponent = defineComponent(componentSpec("my"), () => ({
  services: [defineService(MyService, myHandlers())],
}));
