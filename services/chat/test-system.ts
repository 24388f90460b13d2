// Test support: the chat service and the storage worker it calls, started as components on the
// real PostgreSQL, Redis and RabbitMQ (as `npm start` would with those URLs), served over gRPC.
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { type Code, ConnectError } from "@connectrpc/connect";
import { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { readConfig } from "../../lib/config/read-config.ts";
import { Readiness } from "../../lib/health/index.ts";
import {
  type Component,
  componentConfigSpecs,
  openPlatform,
  type Platform,
  registerPlatformShutdown,
  startComponent,
} from "../../lib/process/index.ts";
import { createRpcClient, ERROR_CODE_METADATA, type RpcClient } from "../../lib/rpc/index.ts";
import { GracefulShutdown } from "../../lib/shutdown/graceful-shutdown.ts";
import { freePort } from "../../test/support/processes.ts";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { storageComponent } from "../../workers/storage/component.ts";
import { chatComponent } from "./component.ts";

/** Why the chat suites cannot run here, or undefined. */
export const chatSkip =
  skipReason(realServers.databaseUrl, "DATABASE_URL") ??
  skipReason(realServers.redisUrl, "REDIS_URL") ??
  skipReason(realServers.amqpUrl, "AMQP_URL");

export const PUBLIC_BASE_URL = "http://localhost:18099";

export interface ChatSystem {
  readonly platform: Platform;
  readonly client: RpcClient<typeof ChatService>;
  /** Call options that make a call the given user's, as the gateway does. */
  as(userId: string): { headers: Record<string, string> };
  stop(): Promise<void>;
}

/** startChatSystem starts storage and chat in this process; `env` overrides their settings. */
export async function startChatSystem(env: Record<string, string> = {}): Promise<ChatSystem> {
  const dataDir = `/tmp/eco2-chat-test-${uniqueName("d")}`;
  const platform = await openPlatform({
    databaseUrl: realServers.databaseUrl,
    redisUrl: realServers.redisUrl,
    amqpUrl: realServers.amqpUrl,
    dataDir,
    processName: uniqueName("chat-test"),
    publicBaseUrl: PUBLIC_BASE_URL,
    objectUrlSecret: "a".repeat(64),
    log: silentLog,
  });
  const shutdown = new GracefulShutdown({ log: silentLog, exit: () => {} });
  registerPlatformShutdown(shutdown, platform);
  const readiness = new Readiness();
  const storagePort = await freePort();
  const chatPort = await freePort();
  const base = {
    RPC_TRANSPORT: "grpc-js",
    STORAGE_ADDR: `127.0.0.1:${storagePort}`,
    LOG_LEVEL: "silent",
    ...env,
  };
  const start = async (component: Component, port: number) => {
    const config = readConfig(componentConfigSpecs(component.spec), base);
    await startComponent({
      component,
      // biome-ignore lint/suspicious/noExplicitAny: the read config holds the component's settings.
      config: config as any,
      host: "127.0.0.1",
      port,
      log: silentLog,
      readiness,
      shutdown,
      platform,
    });
  };
  await start(storageComponent as unknown as Component, storagePort);
  await start(chatComponent as unknown as Component, chatPort);
  const client = createRpcClient(ChatService, {
    address: `127.0.0.1:${chatPort}`,
    timeoutMs: 15_000,
  });
  return {
    platform,
    client,
    as: (userId) => ({ headers: { "x-user-id": userId } }),
    async stop() {
      client.close();
      await shutdown.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** newUser is a fresh user id: every test owns its rows. */
export const newUser = () => randomUUID();

/** refusal awaits a call that must fail and returns its gRPC code and domain code. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: Code; domain?: string }> {
  try {
    await promise;
  } catch (err) {
    const connect = ConnectError.from(err);
    return { code: connect.code, domain: connect.metadata.get(ERROR_CODE_METADATA) ?? undefined };
  }
  throw new Error("expected the call to be refused");
}
