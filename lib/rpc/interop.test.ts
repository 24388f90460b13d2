import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { EchoService } from "../../gen/eco2/testing/v1/echo_pb.ts";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.ts";
import { echoService } from "../../test/support/echo-service.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { runWithContext } from "../context/index.ts";
import { Readiness } from "../health/index.ts";
import { createRpcClient, createRpcServer, type RpcServer, type RpcTransport } from "./index.ts";

const TRANSPORTS: RpcTransport[] = ["grpc-js", "connect"];

async function expectCode(promise: Promise<unknown>, code: Code): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    expect(Code[(err as ConnectError).code]).toBe(Code[code]);
    return err as ConnectError;
  }
  throw new Error(`expected ${Code[code]}, but the call succeeded`);
}

for (const serverTransport of TRANSPORTS) {
  describe(`${serverTransport} server`, () => {
    let server: RpcServer;
    beforeAll(async () => {
      server = createRpcServer({
        transport: serverTransport,
        port: 0,
        services: [echoService()],
        readiness: new Readiness(),
        log: silentLog,
      });
      await server.start();
    });
    afterAll(async () => {
      server.forceStop();
    });

    for (const clientTransport of TRANSPORTS) {
      describe(`× ${clientTransport} client`, () => {
        const client = () =>
          createRpcClient(EchoService, {
            transport: clientTransport,
            address: `127.0.0.1:${server.port}`,
          });

        it("round-trips a unary call with request and response metadata", async () => {
          const echo = client();
          let header: Headers | undefined;
          let trailer: Headers | undefined;
          const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
          const response = await runWithContext(
            {
              requestId: "req-123",
              traceparent,
              traceId: "0af7651916cd43dd8448eb211c80319c",
              userId: "user-7",
            },
            () =>
              echo.echo(
                { text: "안녕 이코" },
                {
                  headers: { "x-extra": "1" },
                  onHeader: (h) => {
                    header = h;
                  },
                  onTrailer: (t) => {
                    trailer = t;
                  },
                },
              ),
          );
          expect(response.text).toBe("안녕 이코");
          expect(response.metadata["x-user-id"]).toBe("user-7");
          expect(response.metadata["x-request-id"]).toBe("req-123");
          expect(response.metadata.traceparent).toBe(traceparent);
          expect(response.metadata["x-extra"]).toBe("1");
          expect(header?.get("x-echo-header")).toBe("h");
          expect(trailer?.get("x-echo-trailer")).toBe("t");
          echo.close();
        });

        it("streams every message of a server stream", async () => {
          const echo = client();
          const values: number[] = [];
          for await (const message of echo.count({ count: 50 })) values.push(message.value);
          expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i));
          echo.close();
        });

        it("delivers every message before a stream's error status", async () => {
          const echo = client();
          const values: number[] = [];
          const consume = async () => {
            for await (const message of echo.count({
              count: 20,
              failCode: Code.ResourceExhausted,
            })) {
              values.push(message.value);
            }
          };
          await expectCode(consume(), Code.ResourceExhausted);
          expect(values.length).toBe(20);
          echo.close();
        });

        it("fails with DEADLINE_EXCEEDED when the deadline passes", async () => {
          const echo = client();
          const started = performance.now();
          await expectCode(echo.sleep({ ms: 3000 }, { timeoutMs: 200 }), Code.DeadlineExceeded);
          const elapsed = performance.now() - started;
          expect(elapsed).toBeGreaterThanOrEqual(150);
          expect(elapsed).toBeLessThan(2000);
          echo.close();
        });

        it("carries an error code and message across", async () => {
          const echo = client();
          const err = await expectCode(
            echo.fail({ code: Code.NotFound, message: "no such user" }),
            Code.NotFound,
          );
          expect(err.rawMessage).toBe("no such user");
          echo.close();
        });

        it("answers grpc.health.v1 Check", async () => {
          const health = createRpcClient(Health, {
            transport: clientTransport,
            address: `127.0.0.1:${server.port}`,
          });
          const overall = await health.check({ service: "" });
          expect(overall.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
          const hosted = await health.check({ service: EchoService.typeName });
          expect(hosted.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
          await expectCode(health.check({ service: "nope.v1.Nope" }), Code.NotFound);
          health.close();
        });
      });
    }
  });
}

describe("retries", () => {
  for (const transport of TRANSPORTS) {
    it(`retries an idempotent call on UNAVAILABLE until the server is up (${transport})`, async () => {
      // Reserve a free port, release it, then start the server there only after the first attempt.
      const probe = createRpcServer({
        port: 0,
        services: [],
        readiness: new Readiness(),
        log: silentLog,
      });
      await probe.start();
      const port = probe.port;
      await probe.stop();
      const state = { calls: {} as Record<string, number> };
      const late = createRpcServer({
        transport,
        port,
        services: [echoService(state)],
        readiness: new Readiness(),
        log: silentLog,
      });
      const echo = createRpcClient(EchoService, {
        transport,
        address: `127.0.0.1:${port}`,
        timeoutMs: 5000,
        retry: { attempts: 10, baseDelayMs: 100, maxDelayMs: 300 },
      });
      setTimeout(() => void late.start(), 250);
      const response = await echo.echo({ text: "late" });
      expect(response.text).toBe("late");
      echo.close();
      late.forceStop();
    });

    it(`does not retry a call that is not idempotent (${transport})`, async () => {
      const state = { calls: {} as Record<string, number> };
      const server = createRpcServer({
        transport,
        port: 0,
        services: [echoService(state)],
        readiness: new Readiness(),
        log: silentLog,
      });
      await server.start();
      const echo = createRpcClient(EchoService, { transport, address: `127.0.0.1:${server.port}` });
      await expectCode(echo.fail({ code: Code.Unavailable, message: "down" }), Code.Unavailable);
      expect(state.calls.fail).toBe(1);
      echo.close();
      server.forceStop();
    });
  }
});

describe("unimplemented methods", () => {
  for (const transport of TRANSPORTS) {
    it(`answer UNIMPLEMENTED (${transport})`, async () => {
      const partial = echoService();
      const handlers = { ...partial.handlers };
      delete handlers.sleep;
      const server = createRpcServer({
        transport,
        port: 0,
        services: [{ service: partial.service, handlers }],
        readiness: new Readiness(),
        log: silentLog,
      });
      await server.start();
      const echo = createRpcClient(EchoService, { transport, address: `127.0.0.1:${server.port}` });
      await expectCode(echo.sleep({ ms: 1 }), Code.Unimplemented);
      echo.close();
      server.forceStop();
    });
  }
});
