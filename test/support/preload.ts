// Loaded before every test file (bunfig.toml `preload`): bun 1.4 ignores `[test] timeout` in
// bunfig.toml, so plain `bun test` would cut integration tests and hooks off at 5 s.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(30_000);
