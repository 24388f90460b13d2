// Child process for the rpc benchmark: serves EchoService one way, so the client under test does
// not share an event loop with the server. `argv[2]` picks the server:
// - grpc-js / connect: lib/rpc's createRpcServer over that transport (instrumented handlers);
// - plain-grpc-js: a bare grpc.Server with one hand-written handler (the raw baseline);
// - plain-connect: connect-node's adapter on node:http2 with the plain handler.
// Every variant answers Echo with the text alone, so each answer is the same size; what lib/rpc
// sends on top (request id, traceparent, user id, deadline) is its own cost. Prints the port, then
// serves until SIGTERM.
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import {
  type EchoRequest,
  EchoRequestSchema,
  EchoResponseSchema,
  EchoService,
} from "../../gen/eco2/testing/v1/echo_pb.ts";
import { Readiness } from "../../lib/health/readiness.ts";
import { createLogger } from "../../lib/log/create-logger.ts";
import { createRpcServer, defineService, type RpcTransport } from "../../lib/rpc/index.ts";

function echoOf(text: string) {
  return { text };
}

async function plainGrpcJs(): Promise<{ port: number; stop(): void }> {
  const server = new grpc.Server();
  const echo = EchoService.method.echo;
  server.addService(
    {
      echo: {
        path: `/${EchoService.typeName}/${echo.name}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: EchoRequest) => Buffer.from(toBinary(EchoRequestSchema, value)),
        requestDeserialize: (bytes: Buffer) => fromBinary(EchoRequestSchema, bytes),
        responseSerialize: (value: ReturnType<typeof echoOf>) =>
          Buffer.from(toBinary(EchoResponseSchema, create(EchoResponseSchema, value))),
        responseDeserialize: (bytes: Buffer) => fromBinary(EchoResponseSchema, bytes),
      },
    },
    {
      echo: (
        call: grpc.ServerUnaryCall<EchoRequest, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        callback(null, echoOf(call.request.text));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return { port, stop: () => server.forceShutdown() };
}

async function plainConnect(): Promise<{ port: number; stop(): void }> {
  const handler = connectNodeAdapter({
    routes: (router) =>
      router.service(EchoService, {
        echo: (request) => echoOf(request.text),
      }),
  });
  const server = http2.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, stop: () => server.close() };
}

async function ours(transport: RpcTransport): Promise<{ port: number; stop(): void }> {
  const server = createRpcServer({
    transport,
    port: 0,
    services: [
      defineService(EchoService, {
        echo: (request) => echoOf(request.text),
      }),
    ],
    readiness: new Readiness(),
    log: createLogger({ service: "bench-echo", level: "silent" }),
  });
  await server.start();
  return { port: server.port, stop: () => server.forceStop() };
}

const kind = process.argv[2] ?? "grpc-js";
const server =
  kind === "plain-grpc-js"
    ? await plainGrpcJs()
    : kind === "plain-connect"
      ? await plainConnect()
      : await ours(kind as RpcTransport);
process.stdout.write(`${server.port}\n`);
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});
// Exiting on SIGINT (rather than being killed) lets `bun --cpu-prof` write its profile.
process.on("SIGINT", () => {
  server.stop();
  process.exit(0);
});
