import { cleanEnv, EnvMissingError, type ValidatorSpec } from "envalid";

/** ConfigError names every variable that is missing or malformed, in one line. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    readonly variables: readonly string[],
  ) {
    super(message);
  }
}

/** isConfigError recognises a ConfigError by name, so two loaded copies of lib/ still agree. */
export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof Error && err.name === "ConfigError";
}

// biome-ignore lint/suspicious/noExplicitAny: envalid's spec map is heterogeneous by design.
export type ConfigSpecs = Record<string, ValidatorSpec<any>>;
export type Config<S extends ConfigSpecs> = {
  readonly [K in keyof S]: S[K] extends ValidatorSpec<infer T> ? T : never;
};

/**
 * readConfig validates the environment against specs once and returns a frozen, typed object.
 * It throws ConfigError with one line naming each bad variable and what it expected (the spec's
 * `desc`); it never prints and never exits, so entries decide how to stop.
 */
export function readConfig<S extends ConfigSpecs>(
  specs: S,
  env: Record<string, string | undefined> = process.env,
): Config<S> {
  // envalid treats "" as a value; an empty variable means "unset" to every operator we know.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const cleaned = cleanEnv(present, specs, {
    reporter: ({ errors }) => {
      const names = Object.keys(errors);
      if (names.length === 0) return;
      const parts = names.map((name) => {
        const expected = specs[name]?.desc ?? "a valid value";
        const got = present[name];
        return errors[name] instanceof EnvMissingError || got === undefined
          ? `${name} is required (${expected})`
          : `${name} must be ${expected}, got ${JSON.stringify(got)}`;
      });
      throw new ConfigError(`invalid configuration: ${parts.join("; ")}`, names);
    },
  });
  return Object.freeze({ ...cleaned }) as Config<S>;
}
