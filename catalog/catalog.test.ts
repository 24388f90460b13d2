import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { gatewayConfigSpecs } from "../gateway/config.ts";
import { AuthService } from "../gen/eco2/auth/v1/auth_pb.ts";
import { ImageService } from "../gen/eco2/storage/v1/storage_pb.ts";
import { TERRAFORM_CONFIG_KEYS } from "../infra/k8s/generate/terraform-bindings.ts";
import { createPeerClients, UndeclaredCallError } from "../lib/process/peer-clients.ts";
import { componentConfigSpecs } from "../lib/process/run-component.ts";
import { allInOneConfigSpecs, COMPONENT_DEFINITIONS } from "../scripts/all-in-one.ts";
import { startProcess } from "../test/support/processes.ts";
import {
  catalogProblems,
  componentFolder,
  componentSources,
  peersCalledIn,
  undeclaredCalls,
} from "./check.ts";
import {
  addressVariable,
  CATALOG,
  COMPONENT_NAMES,
  type ComponentName,
  componentSpec,
  GRPC_COMPONENT_NAMES,
  RUNTIME_ENV,
} from "./components.ts";

const ROOT = join(import.meta.dir, "..");

type Doc = Record<string, unknown>;

/** policyRules reads one generated NetworkPolicy's rules that open the gRPC port. */
function grpcRules(name: ComponentName, direction: "ingress" | "egress"): Doc[] {
  const policies = readYaml(`infra/k8s/base/${name}/networkpolicy.yaml`);
  const policy = policies.find((p) => (p.metadata as Doc).name === `${name}-${direction}`);
  expect(policy).toBeDefined();
  const rules = ((policy!.spec as Doc)[direction] ?? []) as Doc[];
  return rules.filter((rule) => (rule.ports as Doc[]).some((port) => port.port === 50051));
}

const podName = (peer: Doc) =>
  ((peer.podSelector as Doc).matchLabels as Record<string, string>)["app.kubernetes.io/name"];
const readYaml = (path: string): Doc[] =>
  parseAllDocuments(readFileSync(join(ROOT, path), "utf8")).map((doc) => doc.toJS() as Doc);

describe("the catalog", () => {
  it("states no fact twice or against itself", () => {
    expect(catalogProblems()).toEqual([]);
  });

  it("declares every peer the code calls", () => {
    const sources = componentSources(ROOT);
    expect(sources.some((file) => peersCalledIn(file.text).length > 0)).toBe(true);
    expect(undeclaredCalls(sources)).toEqual([]);
  });

  it("names the component when code adds a call it does not declare (mutation)", () => {
    const sources = componentSources(ROOT);
    const scan = sources.find((file) => file.path === "services/scan/component.ts");
    expect(scan).toBeDefined();
    const mutated = sources.map((file) =>
      file === scan
        ? { ...file, text: `${file.text}\ncontext.client("auth", AuthService);\n` }
        : file,
    );
    expect(undeclaredCalls(mutated)).toEqual([
      { component: "scan", peer: "auth", path: "services/scan/component.ts" },
    ]);
  });
});

describe("peer clients", () => {
  const addressesOf = (name: GrpcComponentName) =>
    Object.fromEntries(Object.keys(componentSpec(name).peers).map((p) => [p, "127.0.0.1:9"]));

  it("refuses a client for a peer the catalog does not declare, naming the caller", () => {
    const peers = createPeerClients({
      caller: "scan",
      addresses: addressesOf("scan"),
      transport: "grpc-js",
    });
    expect(() => peers.client("auth", AuthService)).toThrow(UndeclaredCallError);
    expect(() => peers.client("auth", AuthService)).toThrow('component "scan" calls "auth"');
    const images = peers.client("storage", ImageService);
    expect(peers.client("storage", ImageService)).toBe(images);
    peers.close();
  });

  it("gives each component exactly its declared peers, at their address variables", () => {
    for (const name of GRPC_COMPONENT_NAMES) {
      const spec = componentSpec(name);
      expect(Object.keys(spec.peers).sort()).toEqual([...CATALOG[name].calls].sort());
      for (const [peer, address] of Object.entries(spec.peers)) {
        expect(address.variable).toBe(`${peer.toUpperCase()}_ADDR`);
        expect(address.loopback).toBe(`127.0.0.1:${CATALOG[peer as ComponentName].grpcPort}`);
      }
    }
  });
});

describe("the all-in-one start", () => {
  it("starts every catalog component under its own name", () => {
    expect(Object.keys(COMPONENT_DEFINITIONS)).toEqual([...GRPC_COMPONENT_NAMES]);
    for (const name of GRPC_COMPONENT_NAMES) {
      expect(COMPONENT_DEFINITIONS[name].spec.name).toBe(name);
      expect(COMPONENT_DEFINITIONS[name].spec.grpcPort).toBe(CATALOG[name].grpcPort);
    }
  });

  it("reads every component's settings and every address", () => {
    for (const name of COMPONENT_NAMES) {
      for (const setting of Object.keys(CATALOG[name].settings)) {
        expect(allInOneConfigSpecs).toHaveProperty(setting);
      }
    }
    for (const name of GRPC_COMPONENT_NAMES) {
      expect(allInOneConfigSpecs).toHaveProperty(addressVariable(name));
    }
  });

  it("has a standalone entry for every component that starts its catalog definition", () => {
    for (const name of COMPONENT_NAMES) {
      const main = readFileSync(join(ROOT, componentFolder(name), "main.ts"), "utf8");
      if (name === "gateway") continue;
      expect(main).toContain(`runComponent(${name}Component)`);
    }
  });
});

describe("the runtime environment", () => {
  const assignments = Object.entries(RUNTIME_ENV).map(([name, value]) => `${name}=${value}`);

  it("is set by the image and by npm start", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    for (const assignment of assignments) expect(dockerfile).toMatch(envLine(assignment));
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
    expect(scripts.start).toBe(`${assignments.join(" ")} bun scripts/start.ts`);
  });

  it("reaches the processes the tests start", async () => {
    const running = startProcess(["-e", "console.log(JSON.stringify(process.env))"], {});
    await running.exited;
    const env = JSON.parse(running.output());
    for (const [name, value] of Object.entries(RUNTIME_ENV)) expect(env[name]).toBe(value);
  });

  it("is read by this Bun's allocator (an upgrade that renames an option fails here)", async () => {
    const running = startProcess(["-e", "0"], { MIMALLOC_VERBOSE: "1" });
    await running.exited;
    expect(running.output()).toContain("option 'purge_delay': -1");
  });
});

/** A Dockerfile ENV line that sets `assignment` (inside a multi-line ENV instruction). */
const envLine = (assignment: string) => new RegExp(`^(ENV)?\\s+${assignment}(\\s+\\\\)?$`, "m");

describe("the Kubernetes manifests agree with the catalog", () => {
  const grpcEgressPeers = (name: ComponentName) =>
    grpcRules(name, "egress").flatMap((rule) => (rule.to as Doc[]).map(podName));

  it("lets each component reach exactly the peers it calls", () => {
    for (const name of COMPONENT_NAMES) {
      expect({ name, peers: grpcEgressPeers(name).sort() }).toEqual({
        name,
        peers: [...CATALOG[name].calls].sort(),
      });
    }
  });

  it("lets each component in from exactly its callers", () => {
    for (const name of GRPC_COMPONENT_NAMES) {
      const callers = grpcRules(name, "ingress").flatMap((rule) =>
        (rule.from as Doc[]).map(podName),
      );
      const expected = COMPONENT_NAMES.filter((c) =>
        (CATALOG[c].calls as readonly string[]).includes(name),
      );
      expect({ name, callers: callers.sort() }).toEqual({ name, callers: [...expected].sort() });
    }
  });

  it("gives each Deployment exactly its catalog secrets", () => {
    for (const name of COMPONENT_NAMES) {
      const [deployment] = readYaml(`infra/k8s/base/${name}/deployment.yaml`);
      const spec = ((deployment!.spec as Doc).template as Doc).spec as Doc;
      const env = ((spec.containers as Doc[])[0]!.env ?? []) as Doc[];
      const secrets = env.filter((e) => e.valueFrom).map((e) => e.name);
      expect({ name, secrets }).toEqual({ name, secrets: [...CATALOG[name].secrets] });
    }
  });

  it("configures only settings some component reads (the ConfigMap and Terraform's keys)", () => {
    const read = new Set([
      ...Object.keys(gatewayConfigSpecs),
      ...GRPC_COMPONENT_NAMES.flatMap((name) =>
        Object.keys(componentConfigSpecs(componentSpec(name))),
      ),
    ]);
    const configMaps = readYaml("infra/k8s/base/platform/configmap.yaml");
    expect(configMaps.length).toBeGreaterThan(0);
    const keys = [
      ...configMaps.flatMap((config) => Object.keys(config.data as Record<string, string>)),
      ...TERRAFORM_CONFIG_KEYS,
    ];
    expect(keys.filter((key) => !read.has(key))).toEqual([]);
  });

  it("tells callers where every gRPC component is", () => {
    const [config] = readYaml("infra/k8s/base/platform/configmap.yaml");
    const data = config!.data as Record<string, string>;
    for (const name of GRPC_COMPONENT_NAMES) {
      expect(data[addressVariable(name)]).toStartWith(`${name}.`);
    }
  });
});
