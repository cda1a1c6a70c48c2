// Full-text search of engagements and name search of participants: the SQL Prisma cannot write
// (tsvector, ranking, folding in the database), always with bound parameters.
import type { TokenScope } from '../domain/access.js'
import { participantNameKey } from '../domain/identifiers.js'
import { storedTranslations } from '../domain/languages.js'
import { searchDocumentText } from '../domain/search.js'
import { Prisma } from '../generated/prisma/client.js'
import type { Db, PrismaClient } from './client.js'
import { visibleEngagementsSql } from './visibility.js'

const documentFields = {
  id: true,
  title: true,
  titleTranslations: true,
  description: true,
  venue: { select: { name: true, nameTranslations: true, city: true } },
  venuePending: true,
  participants: { select: { pending: true, participant: { select: { name: true, altNames: true, nameTranslations: true } } } }
} satisfies Prisma.EngagementSelect

// Documents rewritten per statement: a head of state's rename touches thousands of engagements.
const DOCUMENT_BATCH = 500

/** A name and its translations, with those a hidden write sent (`pending`, in this engagement's document only). */
const translated = (text: string, translations: unknown, pending?: unknown) =>
  [text, ...Object.values({ ...storedTranslations(translations), ...storedTranslations((pending as { nameTranslations?: unknown } | null)?.nameTranslations) })]

/**
 * Rewrites the search documents of the engagements `where` selects, from their current title,
 * people, venue and description: call it in the transaction that changed any of them. The words
 * are folded and cut here, as q is (src/domain/search.ts); Postgres only numbers and weighs them:
 * title and people A, places B, description C.
 */
export async function writeSearchDocuments (tx: Prisma.TransactionClient, where: Prisma.EngagementWhereInput): Promise<void> {
  for (let after: string | undefined; ;) {
    const rows = await tx.engagement.findMany({
      where: after === undefined ? where : { AND: [where, { id: { gt: after } }] },
      select: documentFields,
      orderBy: { id: 'asc' },
      take: DOCUMENT_BATCH
    })
    if (rows.length === 0) return
    const titles = rows.map((row) => searchDocumentText(translated(row.title, row.titleTranslations)))
    const people = rows.map((row) => searchDocumentText(row.participants.flatMap(({ participant, pending }) =>
      [...translated(participant.name, participant.nameTranslations, pending), ...participant.altNames])))
    const places = rows.map((row) => searchDocumentText(row.venue === null ? [] : [...translated(row.venue.name, row.venue.nameTranslations, row.venuePending), row.venue.city]))
    const descriptions = rows.map((row) => searchDocumentText([row.description]))
    await tx.$executeRaw`
      UPDATE engagements AS e
      SET search_vector = setweight(to_tsvector('simple', d.title), 'A') || setweight(to_tsvector('simple', d.people), 'A')
        || setweight(to_tsvector('simple', d.places), 'B') || setweight(to_tsvector('simple', d.description), 'C')
      FROM unnest(${rows.map((row) => row.id)}::uuid[], ${titles}::text[], ${people}::text[], ${places}::text[], ${descriptions}::text[])
        AS d(id, title, people, places, description)
      WHERE e.id = d.id`
    if (rows.length < DOCUMENT_BATCH) return
    after = rows.at(-1)?.id
  }
}

/**
 * Writes the documents that are missing: engagements stored before search existed (a database
 * migrated from an earlier version) have none, and no search could find them. Run at start.
 */
export async function writeMissingSearchDocuments (prisma: PrismaClient): Promise<number> {
  const missing = await prisma.$queryRaw<Array<{ id: string }>>`SELECT id FROM engagements WHERE search_vector IS NULL`
  if (missing.length > 0) await writeSearchDocuments(prisma, { id: { in: missing.map((row) => row.id) } })
  return missing.length
}

/** Rewrites one engagement's search document; see writeSearchDocuments. */
export async function writeSearchDocument (tx: Prisma.TransactionClient, engagementId: string): Promise<void> {
  await writeSearchDocuments(tx, { id: engagementId })
}

/** Where a match stands in search order: rank (best first), then start, then id. */
export interface RankedMatch {
  id: string
  rank: number
  startsAt: Date
}

/**
 * Engagements matching `tsquery` (from prefixSearchQuery) in search order, after `after`, at most
 * `limit`; only among `among` when given, only those `visibleTo` may see when given. Weights of ts_rank_cd, for D, C, B, A: a word in the
 * title or a person's name counts five times one in the description, a place in between.
 */
export async function rankedMatches (db: Db, tsquery: string, options: { among?: string[], visibleTo?: readonly TokenScope[], after?: RankedMatch, limit: number }): Promise<RankedMatch[]> {
  const query = Prisma.sql`to_tsquery('simple', ${tsquery})`
  const among = options.among === undefined ? Prisma.empty : Prisma.sql`AND id = ANY(${options.among}::uuid[])`
  const visible = options.visibleTo === undefined ? Prisma.empty : Prisma.sql`AND ${visibleEngagementsSql(options.visibleTo, Prisma.sql`embargo_until`)}`
  const { after } = options
  const afterCondition = after === undefined
    ? Prisma.empty
    : Prisma.sql`WHERE rank < ${after.rank}::real OR (rank = ${after.rank}::real AND (starts_at, id) > (${after.startsAt}::timestamptz, ${after.id}::uuid))`
  return db.$queryRaw<RankedMatch[]>`
    SELECT id, rank, starts_at AS "startsAt" FROM (
      SELECT id, starts_at, ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', search_vector, ${query}) AS rank
      FROM engagements
      WHERE search_vector @@ ${query} ${among} ${visible}
    ) AS matches
    ${afterCondition}
    ORDER BY rank DESC, starts_at, id
    LIMIT ${options.limit}`
}

// participantNameKey in SQL: NFKD, combining marks (the blocks used by Latin, Greek and Cyrillic
// diacritics) dropped, lower case, spaces collapsed. Postgres has no Unicode mark class, hence
// the blocks; what is compared with text folded here is folded here too, so both sides agree.
const COMBINING_MARKS = '[\\u0300-\\u036f\\u1ab0-\\u1aff\\u1dc0-\\u1dff\\u20d0-\\u20ff\\ufe20-\\ufe2f]'
const folded = (text: Prisma.Sql) =>
  Prisma.sql`btrim(regexp_replace(lower(regexp_replace(normalize(${text}, NFKD), ${COMBINING_MARKS}, '', 'g')), ${'\\s+'}, ' ', 'g'))`

/** 0 when `name` is `needle`, 1 when it starts with it, 2 when one of its words does, 3 when it contains it, else null. */
const relevanceOf = (name: Prisma.Sql, needle: Prisma.Sql) => Prisma.sql`CASE WHEN ${name} = ${needle} THEN 0
  WHEN starts_with(${name}, ${needle}) THEN 1 WHEN strpos(' ' || ${name}, ' ' || ${needle}) > 0 THEN 2
  WHEN strpos(${name}, ${needle}) > 0 THEN 3 END`

/** Where a participant stands in a name search: relevance (0 best), then folded name, unique. */
export interface ParticipantMatch {
  id: string
  relevance: number
}

/**
 * Participants whose name, alternative names or translated names contain `q`, case and accents
 * ignored, best first (the drafts of engagements under embargo only `withDrafts`): a name equal to q (0), starting with it (1), with a word starting with it
 * (2), containing it (3); then by folded name. Without q, everyone by folded name. A scan of the
 * participants, one row per person however many engagements they have: the names are compared
 * folded as stored (name_key), only the few people with other names have those folded here.
 */
export async function participantMatches (db: Db, q: string | undefined, options: { after?: ParticipantMatch, limit: number, withDrafts: boolean }): Promise<ParticipantMatch[]> {
  const { after, limit } = options
  const drafts = options.withDrafts ? Prisma.sql`TRUE` : Prisma.sql`p.draft_of IS NULL`
  const afterKey = after === undefined ? Prisma.empty : Prisma.sql`(SELECT name_key FROM participants WHERE id = ${after.id}::uuid)`
  if (q === undefined) {
    return db.$queryRaw<ParticipantMatch[]>`
      SELECT id, 0 AS relevance FROM participants AS p WHERE ${drafts} ${after === undefined ? Prisma.empty : Prisma.sql`AND name_key > ${afterKey}`}
      ORDER BY name_key LIMIT ${limit}`
  }
  const otherNames = Prisma.sql`SELECT min(${relevanceOf(Prisma.sql`f.name`, Prisma.sql`w.other`)})
    FROM unnest(coalesce(p.alt_names, '{}') || ARRAY(SELECT value FROM jsonb_each_text(p.name_translations))) AS other(name),
      LATERAL (SELECT ${folded(Prisma.sql`other.name`)} AS name) AS f`
  return db.$queryRaw<ParticipantMatch[]>`
    WITH wanted AS (SELECT ${participantNameKey(q)}::text AS name_key, ${folded(Prisma.sql`${q}::text`)} AS other)
    SELECT id, relevance FROM (
      SELECT p.id, p.name_key, least(${relevanceOf(Prisma.sql`p.name_key`, Prisma.sql`w.name_key`)},
        CASE WHEN cardinality(p.alt_names) > 0 OR p.name_translations <> '{}' THEN (${otherNames}) END) AS relevance
      FROM participants AS p CROSS JOIN wanted AS w
      WHERE ${drafts}
    ) AS scored
    WHERE relevance IS NOT NULL ${after === undefined ? Prisma.empty : Prisma.sql`AND (relevance, name_key) > (${after.relevance}::int, ${afterKey})`}
    ORDER BY relevance, name_key
    LIMIT ${limit}`
}

/**
 * The participants who have `name` among their alternative names (compared as participantNameKey
 * does), leaving out those whose Wikidata id says they are someone other than `wikidataId`.
 */
export async function participantsWithAltName (db: Db, name: string, wikidataId: string | undefined): Promise<Array<{ id: string }>> {
  const sameWikidataId = wikidataId === undefined ? Prisma.empty : Prisma.sql`AND (wikidata_id IS NULL OR wikidata_id = ${wikidataId})`
  return db.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM participants AS p
    WHERE p.draft_of IS NULL AND cardinality(p.alt_names) > 0 ${sameWikidataId}
      AND EXISTS (SELECT 1 FROM unnest(p.alt_names) AS alt(name) WHERE ${folded(Prisma.sql`alt.name`)} = ${folded(Prisma.sql`${name}::text`)})
    ORDER BY id`
}
