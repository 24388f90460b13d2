export {
  type CheckResult,
  type DependencyCheck,
  Readiness,
  type ReadinessOptions,
  type ReadinessReport,
} from "./readiness.ts";
