import { AuthService } from "../gen/eco2/auth/v1/auth_pb.ts";
import { CharacterService } from "../gen/eco2/character/v1/character_pb.ts";
import { ChatService } from "../gen/eco2/chat/v1/chat_pb.ts";
import { InfoService } from "../gen/eco2/info/v1/info_pb.ts";
import { LocationService } from "../gen/eco2/location/v1/location_pb.ts";
import { MyService } from "../gen/eco2/my/v1/my_pb.ts";
import { ScanService } from "../gen/eco2/scan/v1/scan_pb.ts";
import { ImageService } from "../gen/eco2/storage/v1/storage_pb.ts";
import { Health } from "../gen/grpc/health/v1/health_pb.ts";
import { createRpcClient, type RpcClient, type RpcTransport } from "../lib/rpc/index.ts";
import { COMPONENT_NAMES, type ComponentName } from "../services/components.ts";

export interface ClientOptions {
  transport: RpcTransport;
  timeoutMs: number;
  address: (name: ComponentName) => string;
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
  readonly health: Readonly<Record<ComponentName, RpcClient<typeof Health>>>;
  close(): void;
}

export function createServiceClients(options: ClientOptions): ServiceClients {
  const make = <S extends Parameters<typeof createRpcClient>[0]>(service: S, name: ComponentName) =>
    createRpcClient(service, {
      transport: options.transport,
      address: options.address(name),
      timeoutMs: options.timeoutMs,
    });
  const health = Object.fromEntries(
    COMPONENT_NAMES.map((name) => [name, make(Health, name)]),
  ) as Record<ComponentName, RpcClient<typeof Health>>;
  const clients = {
    auth: make(AuthService, "auth"),
    my: make(MyService, "my"),
    scan: make(ScanService, "scan"),
    character: make(CharacterService, "character"),
    location: make(LocationService, "location"),
    info: make(InfoService, "info"),
    chat: make(ChatService, "chat"),
    images: make(ImageService, "storage"),
  };
  return {
    ...clients,
    health,
    close() {
      for (const client of [...Object.values(clients), ...Object.values(health)]) client.close();
    },
  };
}
