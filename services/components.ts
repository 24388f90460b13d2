/**
 * The Eco² components: the seven gRPC services and the two workers, with the loopback port each
 * uses when all run on one machine and the variable through which callers find it. Kubernetes runs
 * every component on port 50051 in its own pod and sets the *_ADDR variables instead.
 */
export const SERVICE_NAMES = [
  "auth",
  "my",
  "scan",
  "character",
  "location",
  "info",
  "chat",
] as const;
export const WORKER_NAMES = ["storage", "ai"] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];
export type WorkerName = (typeof WORKER_NAMES)[number];
export type ComponentName = ServiceName | WorkerName;

export const COMPONENT_NAMES: readonly ComponentName[] = [...SERVICE_NAMES, ...WORKER_NAMES];

/** Default gRPC port of each component on a single machine. */
export const DEFAULT_GRPC_PORTS: Readonly<Record<ComponentName, number>> = {
  auth: 50051,
  my: 50052,
  scan: 50053,
  character: 50054,
  location: 50055,
  info: 50056,
  chat: 50057,
  storage: 50058,
  ai: 50059,
};

/** addressVariable is the environment variable holding a component's host:port for callers. */
export function addressVariable(name: ComponentName): string {
  return `${name.toUpperCase()}_ADDR`;
}

export function isWorker(name: ComponentName): name is WorkerName {
  return (WORKER_NAMES as readonly string[]).includes(name);
}
