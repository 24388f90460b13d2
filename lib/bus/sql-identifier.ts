/** quoteIdent quotes a schema or table name for SQL; names come from code, but quoting keeps a
 * mistake from becoming an injection. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`invalid SQL identifier "${name}"`);
  }
  return `"${name}"`;
}
