/**
 * `value` as a LIKE pattern that matches only itself: `%`, `_` and the escape character `\`
 * escaped. Prisma turns a case-insensitive `contains` or `equals` into ILIKE with the value as
 * the pattern, unescaped, so a filter of "%" would match every row and a trailing "\" would be
 * a database error.
 */
export function literalLikePattern (value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`)
}
