/**
 * KeyMemo remembers the key string `make` builds from a shorter one, for keys that come back on
 * every request of a busy caller (rate-limit windows): a remembered string's hash is already
 * known, where a new concatenation is hashed again by each lookup. At `limit` entries it starts
 * again, so a stream of one-off keys cannot grow it without bound.
 */
export class KeyMemo {
  readonly #keys = new Map<string, string>();

  constructor(
    private readonly make: (short: string) => string,
    private readonly limit = 10_000,
  ) {}

  of(short: string): string {
    let key = this.#keys.get(short);
    if (key === undefined) {
      if (this.#keys.size >= this.limit) this.#keys.clear();
      key = this.make(short);
      this.#keys.set(short, key);
    }
    return key;
  }
}
