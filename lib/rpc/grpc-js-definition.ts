import { create, type DescService, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";

/**
 * grpcJsDefinition describes a protobuf-es service to grpc-js, so both transports work from the one
 * generated descriptor (no proto-loader, no second codegen).
 */
export function grpcJsDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream:
        method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream:
        method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (value: Record<string, unknown>) =>
        Buffer.from(toBinary(method.input, create(method.input, value))),
      requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
      responseSerialize: (value: Record<string, unknown>) =>
        Buffer.from(toBinary(method.output, create(method.output, value))),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
      originalName: method.localName,
    };
  }
  return definition;
}
