import { CATALOG, GRPC_COMPONENT_NAMES, type GrpcComponentName } from "../catalog/components.ts";
import { AuthService } from "../gen/eco2/auth/v1/auth_pb.ts";
import { CharacterService } from "../gen/eco2/character/v1/character_pb.ts";
import { ChatService } from "../gen/eco2/chat/v1/chat_pb.ts";
import { InfoService } from "../gen/eco2/info/v1/info_pb.ts";
import { LocationService } from "../gen/eco2/location/v1/location_pb.ts";
import { MyService } from "../gen/eco2/my/v1/my_pb.ts";
import { ScanService } from "../gen/eco2/scan/v1/scan_pb.ts";
import { ImageService } from "../gen/eco2/storage/v1/storage_pb.ts";
import { Health } from "../gen/grpc/health/v1/health_pb.ts";
import { createPeerClients } from "../lib/process/peer-clients.ts";
import type { RpcClient, RpcTransport } from "../lib/rpc/index.ts";

export interface ClientOptions {
  transport: RpcTransport;
  timeoutMs: number;
  /** Where to find a component; asked only for those the gateway's catalog entry calls. */
  address: (name: GrpcComponentName) => string;
}

/** ServiceClients are the gateway's typed clients, one per service, plus health per component. */
export interface ServiceClients {
  readonly auth: RpcClient<typeof AuthService>;
  readonly my: RpcClient<typeof MyService>;
  readonly scan: RpcClient<typeof ScanService>;
  readonly character: RpcClient<typeof CharacterService>;
  readonly location: RpcClient<typeof LocationService>;
  readonly info: RpcClient<typeof InfoService>;
  readonly chat: RpcClient<typeof ChatService>;
  readonly images: RpcClient<typeof ImageService>;
  readonly health: Readonly<Record<GrpcComponentName, RpcClient<typeof Health>>>;
  close(): void;
}

/** createServiceClients makes the gateway's clients; a peer it does not declare cannot be had. */
export function createServiceClients(options: ClientOptions): ServiceClients {
  const peers = createPeerClients({
    caller: "gateway",
    addresses: Object.fromEntries(
      CATALOG.gateway.calls.map((name) => [name, options.address(name)]),
    ),
    transport: options.transport,
    timeoutMs: options.timeoutMs,
  });
  const health = Object.fromEntries(
    GRPC_COMPONENT_NAMES.map((name) => [name, peers.client(name, Health)]),
  ) as Record<GrpcComponentName, RpcClient<typeof Health>>;
  return {
    auth: peers.client("auth", AuthService),
    my: peers.client("my", MyService),
    scan: peers.client("scan", ScanService),
    character: peers.client("character", CharacterService),
    location: peers.client("location", LocationService),
    info: peers.client("info", InfoService),
    chat: peers.client("chat", ChatService),
    images: peers.client("storage", ImageService),
    health,
    close: () => peers.close(),
  };
}
