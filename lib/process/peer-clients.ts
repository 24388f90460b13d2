import type { DescService } from "@bufbuild/protobuf";
import type { Config, ConfigSpecs } from "../config/read-config.ts";
import { hostPort } from "../config/validators.ts";
import { createRpcClient, type RpcClient } from "../rpc/client.ts";
import type { RpcTransport } from "../rpc/server.ts";
import type { ComponentSpec, PeerClients } from "./component.ts";

/**
 * UndeclaredCallError stops a component from calling a peer its catalog entry does not list, so
 * the call fails in a test on a laptop instead of being cut off by a NetworkPolicy in a cluster.
 */
export class UndeclaredCallError extends Error {
  override readonly name = "UndeclaredCallError";
  constructor(
    readonly caller: string,
    readonly peer: string,
  ) {
    super(
      `component "${caller}" calls "${peer}", which its catalog entry does not declare (add "${peer}" to its calls)`,
    );
  }
}

type AddressSpecs = Record<string, ReturnType<typeof hostPort>>;

/** peerAddressSpecs are the `*_ADDR` settings of a component's peers, defaulting to loopback. */
export function peerAddressSpecs(spec: Pick<ComponentSpec, "peers">): AddressSpecs {
  return Object.fromEntries(
    Object.values(spec.peers).map((peer) => [peer.variable, hostPort({ default: peer.loopback })]),
  );
}

/** peerAddresses reads each declared peer's address from a configuration that holds them. */
export function peerAddresses(
  spec: Pick<ComponentSpec, "peers">,
  config: Config<ConfigSpecs>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec.peers).map(([name, peer]) => [name, String(config[peer.variable])]),
  );
}

export interface PeerClientOptions {
  readonly caller: string;
  /** Address of every declared peer, by name. */
  readonly addresses: Readonly<Record<string, string>>;
  readonly transport: RpcTransport;
  readonly timeoutMs?: number;
}

/**
 * createPeerClients gives a component clients for its declared peers only. A client is created
 * once per peer and service, and close() closes them all.
 */
export function createPeerClients(options: PeerClientOptions): {
  client: PeerClients;
  close(): void;
} {
  const made = new Map<string, RpcClient<DescService>>();
  const client = <S extends DescService>(peer: string, service: S): RpcClient<S> => {
    const address = Object.hasOwn(options.addresses, peer) ? options.addresses[peer] : undefined;
    if (address === undefined) throw new UndeclaredCallError(options.caller, peer);
    const key = `${peer}/${service.typeName}`;
    let existing = made.get(key);
    if (!existing) {
      existing = createRpcClient(service, {
        transport: options.transport,
        address,
        timeoutMs: options.timeoutMs,
      }) as RpcClient<DescService>;
      made.set(key, existing);
    }
    return existing as unknown as RpcClient<S>;
  };
  return {
    client,
    close() {
      for (const each of made.values()) each.close();
      made.clear();
    },
  };
}
