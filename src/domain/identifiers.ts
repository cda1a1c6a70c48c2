const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid (value: string): boolean {
  return UUID_PATTERN.test(value)
}

/**
 * The key that identifies a person across engagements: case, accents and spacing do not make
 * a different person ("Zhao  Leji" and "zhao leji" are one participant).
 */
export function participantNameKey (name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{Mark}/gu, '')
    .toLocaleLowerCase('en')
    .replace(/\s+/g, ' ')
    .trim()
}
