// The all-in-one start with one component whose create() throws, named by FAIL_COMPONENT: how a
// test proves the process stops whole instead of serving half a system.
import type { GrpcComponentName } from "../../catalog/components.ts";
import { bootProcess } from "../../lib/process/boot-process.ts";
import { defineComponent } from "../../lib/process/component.ts";
import {
  COMPONENT_DEFINITIONS,
  readAllInOneConfig,
  startAllInOne,
} from "../../scripts/all-in-one.ts";

const failing = process.env.FAIL_COMPONENT as GrpcComponentName;
const broken = defineComponent(COMPONENT_DEFINITIONS[failing].spec, () => {
  throw new Error("create() refused on purpose");
});
await startAllInOne(
  bootProcess("eco2", () => readAllInOneConfig()),
  {
    ...COMPONENT_DEFINITIONS,
    [failing]: broken,
  },
);
