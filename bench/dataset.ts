// The benchmark's data set: visits, legs, venues, participants, engagements and sources written
// set-based (INSERT ... SELECT over generate_series) straight into a dedicated database, so a
// million engagements take minutes rather than the hours one API call per row would.
import pg from 'pg'
import { applyMigrations } from '../src/db/schema-engine.js'
import { ProgressBar } from './progress.js'

export interface DatasetScale {
  engagements: number
  /** Years of history the engagements spread over, ending with the last day of `endYear`. */
  years: number
}

/** Engagements per year of history: the density of a busy newsroom archive. */
export const ENGAGEMENTS_PER_YEAR = 10_000
/** Engagements per visit on average (from 10 to 90). */
const ENGAGEMENTS_PER_VISIT = 50
/** The archive ends with 2026: a few weeks of scheduled visits after "today". */
const ARCHIVE_END = '2027-01-01'
const SEED = 0.42
/**
 * Raise it whenever the generator writes something new (a column, a distribution): a data set
 * kept from an older generator is then made again instead of being measured as it was.
 */
const GENERATOR_VERSION = 2

/** Cities with real IANA zones: daylight saving both hemispheres, :30 and :45 offsets, midnight jumps. */
const CITIES: Array<[city: string, country: string, zone: string]> = [
  ['Beijing', 'CN', 'Asia/Shanghai'], ['Shanghai', 'CN', 'Asia/Shanghai'], ['Seoul', 'KR', 'Asia/Seoul'],
  ['Tokyo', 'JP', 'Asia/Tokyo'], ['Washington', 'US', 'America/New_York'], ['New York', 'US', 'America/New_York'],
  ['Los Angeles', 'US', 'America/Los_Angeles'], ['Mexico City', 'MX', 'America/Mexico_City'],
  ['Havana', 'CU', 'America/Havana'], ['Brasilia', 'BR', 'America/Sao_Paulo'], ['Santiago', 'CL', 'America/Santiago'],
  ['St. John\'s', 'CA', 'America/St_Johns'], ['Ottawa', 'CA', 'America/Toronto'], ['London', 'GB', 'Europe/London'],
  ['Paris', 'FR', 'Europe/Paris'], ['Berlin', 'DE', 'Europe/Berlin'], ['Brussels', 'BE', 'Europe/Brussels'],
  ['Moscow', 'RU', 'Europe/Moscow'], ['Istanbul', 'TR', 'Europe/Istanbul'], ['Cairo', 'EG', 'Africa/Cairo'],
  ['Nairobi', 'KE', 'Africa/Nairobi'], ['Johannesburg', 'ZA', 'Africa/Johannesburg'], ['Beirut', 'LB', 'Asia/Beirut'],
  ['Tehran', 'IR', 'Asia/Tehran'], ['Dubai', 'AE', 'Asia/Dubai'], ['New Delhi', 'IN', 'Asia/Kolkata'],
  ['Kathmandu', 'NP', 'Asia/Kathmandu'], ['Yangon', 'MM', 'Asia/Yangon'], ['Jakarta', 'ID', 'Asia/Jakarta'],
  ['Singapore', 'SG', 'Asia/Singapore'], ['Adelaide', 'AU', 'Australia/Adelaide'], ['Canberra', 'AU', 'Australia/Sydney'],
  ['Lord Howe Island', 'AU', 'Australia/Lord_Howe'], ['Wellington', 'NZ', 'Pacific/Auckland'],
  ['Waitangi', 'NZ', 'Pacific/Chatham'], ['Apia', 'WS', 'Pacific/Apia'], ['Honolulu', 'US', 'Pacific/Honolulu']
]

const FIRST_NAMES = [
  'Anna', 'Li', 'José', 'Maria', 'Kenji', 'Amara', 'Olga', 'Rahul', 'Fatima', 'Lars', 'Chen', 'Ngozi', 'Pierre',
  'Sofía', 'Ahmed', 'Yuki', 'Hannah', 'Diego', 'Min-jun', 'Zanele', 'Björn', 'Priya', 'Omar', 'Élise', 'Tomás',
  'Aiko', 'Kwame', 'Ingrid', 'Mateo', 'Leila', 'Sven', 'Mei', 'Carlos', 'Nadia', 'Jae-won', 'Ayşe', 'Hugo',
  'Chiara', 'Dmitri', 'Wanjiru'
]
const LAST_NAMES = [
  'Wang', 'García', 'Müller', 'Kim', 'Okafor', 'Ivanova', 'Sharma', 'Haddad', 'Nakamura', 'Silva', 'Dubois', 'Nguyen',
  'Johansson', 'Mensah', 'Rossi', 'Park', 'Khan', 'Fernández', 'Schmidt', 'Tanaka', 'Öztürk', 'Lefèvre', 'Zhang',
  'Novak', 'Costa', 'Abdullah', 'Lindqvist', 'Moreau', 'Petrov', 'Chowdhury', 'Liu', 'Hernández', 'Yilmaz',
  'Kowalski', 'Sato', 'Mbeki', 'Jensen', 'Romero', 'Choi', 'Papadopoulos', 'Ortiz', 'Sokolov', 'Bianchi', 'Lee',
  'Adeyemi', 'Brennan', 'Håkansson', 'Castillo', 'Rahman', 'Wójcik'
]
const PUBLISHERS = ['Yonhap', 'Xinhua', 'Reuters', 'AFP', 'AP', 'Kyodo', 'BBC', 'Al Jazeera', 'Le Monde', 'The Hindu']
// participantNameKey strips accents after NFKD; for the letters above, translate() does the same.
const ACCENTED = 'áéíóúüöåäçãõâêôàèìòùëïşñ'
const PLAIN = 'aeiouuoaacaoaeoaeiioueisn'

function venuesPerCity (scale: DatasetScale) {
  // Venues per city grow with the archive: every year brings new hotels and halls.
  return Math.max(5, Math.round(scale.engagements / 2000))
}

export function defaultYears (engagements: number): number {
  return Math.max(1, Math.round(engagements / ENGAGEMENTS_PER_YEAR))
}

/** The database's data set, or null when it has none (or a half-written one, or one from an older generator). */
export async function existingScale (client: pg.Client): Promise<DatasetScale | null> {
  const marker = await client.query<{ engagements: number, years: number }>(
    `SELECT engagements, years FROM bench_dataset WHERE finished_at IS NOT NULL AND generator = $1`, [GENERATOR_VERSION]
  ).catch(() => null)
  return marker?.rows[0] ?? null
}

/**
 * Creates the database (dropping one with another scale), migrates it and fills it. Keeps a
 * database that already holds this scale, since generating a million rows takes minutes.
 */
export async function ensureDataset (serverUrl: string, database: string, scale: DatasetScale, options: { regenerate: boolean }): Promise<'reused' | 'generated'> {
  const url = databaseUrl(serverUrl, database)
  if (!options.regenerate && await databaseExists(serverUrl, database)) {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const existing = await existingScale(client)
      if (existing?.engagements === scale.engagements && existing.years === scale.years) {
        // Migrations added since the data set was made (new indexes) apply to it as they are.
        await applyMigrations(url)
        return 'reused'
      }
    } finally {
      await client.end()
    }
  }
  await recreateDatabase(serverUrl, database)
  await applyMigrations(url)
  await generate(url, scale)
  return 'generated'
}

export function databaseUrl (serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

async function withAdmin<T> (serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.end()
  }
}

async function databaseExists (serverUrl: string, database: string): Promise<boolean> {
  return withAdmin(serverUrl, async (admin) =>
    (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1)
}

async function recreateDatabase (serverUrl: string, database: string) {
  await withAdmin(serverUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`)
  })
}

async function generate (url: string, scale: DatasetScale) {
  const visits = Math.max(1, Math.round(scale.engagements / ENGAGEMENTS_PER_VISIT))
  const participants = Math.min(60_000, Math.max(200, Math.round(scale.engagements / 20)))
  // Chunks of about 5,000 engagements each: progress to watch, and transactions of bounded size.
  const chunks = Math.max(1, Math.ceil(visits / 100))
  const progress = new ProgressBar(5 + chunks * 4)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('CREATE TABLE bench_dataset (engagements int NOT NULL, years int NOT NULL, generator int NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz)')
    await client.query('INSERT INTO bench_dataset (engagements, years, generator) VALUES ($1, $2, $3)', [scale.engagements, scale.years, GENERATOR_VERSION])
    await client.query('SELECT setseed($1)', [SEED])
    await createHelpers(client)
    await client.query(`CREATE TEMP TABLE bench_cities (n int PRIMARY KEY, city text, country char(2), zone text)`)
    await client.query(
      'INSERT INTO bench_cities SELECT ordinality::int, city, country, zone FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS c(city, country, zone)',
      [CITIES.map((c) => c[0]), CITIES.map((c) => c[1]), CITIES.map((c) => c[2])]
    )
    await insertVisitsAndLegs(client, visits, scale)
    progress.advance(`${visits.toLocaleString('en')} visits and their legs`)
    await insertVenues(client, venuesPerCity(scale))
    progress.advance('venues')
    await insertParticipants(client, participants)
    progress.advance(`${participants.toLocaleString('en')} participants`)
    const searchIndexes = await dropSearchIndexes(client)
    for (let chunk = 0; chunk < chunks; chunk++) {
      const first = Math.floor(chunk * visits / chunks) + 1
      const last = Math.floor((chunk + 1) * visits / chunks)
      const label = `chunk ${chunk + 1}/${chunks}`
      await insertEngagements(client, first, last, venuesPerCity(scale))
      progress.advance(`${label}: engagements`)
      await insertEngagementParticipants(client, first, last, participants)
      progress.advance(`${label}: participants`)
      await insertSources(client, first, last)
      progress.advance(`${label}: sources`)
      // Autovacuum analyses late, and never a temporary table: on statistics of an empty table the
      // planner joins each engagement's people by scanning every participant (45 s a chunk, not 4).
      await client.query('ANALYZE engagements, engagement_participants, participants, venues, bench_visits')
      await fillSearchVectors(client, first, last)
      progress.advance(`${label}: search documents`)
    }
    await client.query("SET maintenance_work_mem = '256MB'")
    for (const definition of searchIndexes) await client.query(definition)
    progress.advance('search index')
    await client.query('VACUUM ANALYZE')
    await client.query('UPDATE bench_dataset SET finished_at = now()')
    progress.finish('analysed')
  } finally {
    await client.end()
  }
}

/**
 * Drops the full-text indexes and gives back the statements that build them again: built once at
 * the end, a GIN index takes seconds and comes out compact, where updating it row by row while
 * loading fills its pending list chunk after chunk.
 */
async function dropSearchIndexes (client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string, definition: string }>(`
    SELECT indexname AS name, indexdef AS definition FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = 'engagements' AND indexdef LIKE '% USING gin %'`)
  for (const { name } of rows) await client.query(`DROP INDEX ${pg.escapeIdentifier(name)}`)
  return rows.map(({ definition }) => definition)
}

/** A UUIDv7 for an instant, like the ids Prisma writes: ids sort in creation order. */
async function createHelpers (client: pg.Client) {
  await client.query(`
    CREATE FUNCTION pg_temp.uuid7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
      SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7'
        || substr(md5(random()::text), 1, 3) || to_hex(8 + floor(random() * 4)::int)
        || substr(md5(random()::text), 1, 15))::uuid
    $$`)
}

async function insertVisitsAndLegs (client: pg.Client, visits: number, scale: DatasetScale) {
  await client.query(`
    CREATE TEMP TABLE bench_visits AS
    SELECT n, pg_temp.uuid7(start_date - interval '30 days') AS id, start_date, start_date + duration - 1 AS end_date,
           least(duration, 1 + floor(random() * 4)::int) AS leg_count,
           greatest(1, round($2::numeric * (0.2 + random() * 1.6)))::int AS engagement_count,
           1 + floor(random() * $4)::int AS origin_city
    FROM (
      SELECT n, $3::date - 7 - floor(random() * ($3::date - ($3::date - make_interval(years => $5))::date - 7))::int AS start_date,
             2 + floor(random() * 5)::int AS duration
      FROM generate_series(1, $1::int) AS n
    ) AS drawn`, [visits, ENGAGEMENTS_PER_VISIT, ARCHIVE_END, CITIES.length, scale.years])
  await client.query('CREATE UNIQUE INDEX ON bench_visits (n)')
  await client.query(`
    INSERT INTO visits (id, slug, title, principal_name, principal_title, origin_country, kind, status, home_time_zone,
                        start_date, end_date, summary, created_at, updated_at, version)
    SELECT v.id, 'bench-visit-' || v.n, 'Visit ' || v.n || ' of the president of ' || c.country,
           ($1::text[])[1 + (v.origin_city * 7) % array_length($1::text[], 1)] || ' ' || ($2::text[])[1 + v.origin_city % array_length($2::text[], 1)],
           'President of ' || c.country, c.country,
           (enum_range(NULL::"VisitKind"))[1 + v.n % 6],
           CASE WHEN v.end_date < current_date THEN 'completed' ELSE 'confirmed' END::"ScheduleStatus",
           c.zone, v.start_date, v.end_date,
           CASE WHEN v.n % 3 = 0 THEN NULL ELSE 'A programme of talks, visits and ceremonies over ' || (v.end_date - v.start_date + 1) || ' days.' END,
           v.start_date - interval '30 days', v.start_date - interval '2 days', 1 + v.n % 4
    FROM bench_visits v JOIN bench_cities c ON c.n = v.origin_city`, [FIRST_NAMES, LAST_NAMES])
  await client.query(`
    CREATE TEMP TABLE bench_legs AS
    SELECT v.n AS visit_n, s AS sequence, pg_temp.uuid7(v.start_date - interval '29 days') AS id,
           v.start_date + ((s - 1) * (v.end_date - v.start_date + 1)) / v.leg_count AS start_date,
           v.start_date + (s * (v.end_date - v.start_date + 1)) / v.leg_count - 1 AS end_date,
           1 + floor(random() * $1)::int AS city_n
    FROM bench_visits v CROSS JOIN LATERAL generate_series(1, v.leg_count) AS s`, [CITIES.length])
  await client.query('CREATE UNIQUE INDEX ON bench_legs (visit_n, sequence)')
  await client.query(`
    INSERT INTO legs (id, visit_id, sequence, city, country, time_zone, start_date, end_date, created_at, updated_at, version)
    SELECT l.id, v.id, l.sequence, c.city, c.country, c.zone, l.start_date, l.end_date,
           v.start_date - interval '29 days', v.start_date - interval '29 days', 1
    FROM bench_legs l JOIN bench_visits v ON v.n = l.visit_n JOIN bench_cities c ON c.n = l.city_n`)
}

async function insertVenues (client: pg.Client, venuesPerCity: number) {
  await client.query(`
    CREATE TEMP TABLE bench_venues AS
    SELECT c.n AS city_n, k, pg_temp.uuid7(timestamptz '2015-01-01' + k * interval '1 hour') AS id
    FROM bench_cities c CROSS JOIN generate_series(0, $1 - 1) AS k`, [venuesPerCity])
  await client.query('CREATE UNIQUE INDEX ON bench_venues (city_n, k)')
  await client.query(`
    INSERT INTO venues (id, name, name_translations, city, country, address, latitude, longitude, created_at, updated_at)
    SELECT b.id, (ARRAY['Palace', 'Hotel', 'Conference Centre', 'Hall', 'Residence', 'Museum'])[1 + b.k % 6] || ' ' || b.k,
           CASE WHEN b.k % 3 = 0 THEN jsonb_build_object(
             'fr', (ARRAY['Palais', 'Hôtel', 'Centre de conférences', 'Salle', 'Résidence', 'Musée'])[1 + b.k % 6] || ' ' || b.k,
             'zh', (ARRAY['宫', '酒店', '会议中心', '大厅', '官邸', '博物馆'])[1 + b.k % 6] || ' ' || b.k) ELSE '{}' END,
           c.city, c.country,
           CASE WHEN b.k % 2 = 0 THEN b.k || ' Avenue of Nations, ' || c.city END,
           CASE WHEN b.k % 3 <> 0 THEN round((random() * 120 - 60)::numeric, 5)::float8 END,
           CASE WHEN b.k % 3 <> 0 THEN round((random() * 340 - 170)::numeric, 5)::float8 END,
           timestamptz '2015-01-01', timestamptz '2015-01-01'
    FROM bench_venues b JOIN bench_cities c ON c.n = b.city_n`)
}

async function insertParticipants (client: pg.Client, participants: number) {
  await client.query(`
    CREATE TEMP TABLE bench_participants AS
    SELECT n, pg_temp.uuid7(timestamptz '2015-01-01' + n * interval '1 minute') AS id,
           ($2::text[])[1 + n % array_length($2::text[], 1)] || ' '
             || CASE WHEN n >= array_length($2::text[], 1) * array_length($3::text[], 1)
                     THEN chr(65 + (n / (array_length($2::text[], 1) * array_length($3::text[], 1))) % 26) || '. ' ELSE '' END
             || ($3::text[])[1 + (n / array_length($2::text[], 1)) % array_length($3::text[], 1)] AS name
    FROM generate_series(0, $1 - 1) AS n`, [participants, FIRST_NAMES, LAST_NAMES])
  await client.query('CREATE UNIQUE INDEX ON bench_participants (n)')
  await client.query(`
    INSERT INTO participants (id, name, name_key, name_translations, country, created_at, updated_at)
    SELECT b.id, b.name, translate(lower(b.name), $1, $2),
           CASE WHEN b.n % 10 = 0 THEN jsonb_build_object('ko', b.name || ' (ko)', 'zh-Hans', b.name || ' (zh)') ELSE '{}' END,
           CASE WHEN b.n % 4 <> 0 THEN c.country END, timestamptz '2015-01-01', timestamptz '2015-01-01'
    FROM bench_participants b JOIN bench_cities c ON c.n = 1 + b.n % $3`, [ACCENTED, PLAIN, CITIES.length])
}

async function insertEngagements (client: pg.Client, firstVisit: number, lastVisit: number, venuesPerCity: number) {
  await client.query(`
    WITH drawn AS (
      SELECT v.n, v.id AS visit_id, v.leg_count, k, random() AS r_leg, random() AS r_day, random() AS r_precision,
             random() AS r_hour, random() AS r_minute, random() AS r_length, random() AS r_venue, random() AS r_kind,
             random() AS r_part, random() AS r_leg_known, random() AS r_status,
             random() AS r_confirmation, random() AS r_press
      FROM bench_visits v CROSS JOIN LATERAL generate_series(1, v.engagement_count) AS k
      WHERE v.n BETWEEN $1 AND $2
    ), placed AS (
      SELECT d.*, l.id AS leg_id, l.city_n, c.zone, c.city,
             l.start_date + floor(d.r_day * (l.end_date - l.start_date + 1))::int AS day,
             CASE WHEN d.r_precision < 0.6 THEN 'exact' WHEN d.r_precision < 0.85 THEN 'part_of_day' WHEN d.r_precision < 0.97 THEN 'date' ELSE 'tbd' END AS precision,
             (enum_range(NULL::"PartOfDay"))[1 + floor(d.r_part * 4)::int] AS part,
             (enum_range(NULL::"EngagementKind"))[1 + floor(d.r_kind * 12)::int] AS kind
      FROM drawn d
      JOIN bench_legs l ON l.visit_n = d.n AND l.sequence = 1 + floor(d.r_leg * d.leg_count)::int
      JOIN bench_cities c ON c.n = l.city_n
    ), started AS (
      SELECT p.*,
             CASE p.precision
               WHEN 'exact' THEN (p.day + make_interval(hours => 7 + floor(p.r_hour * 14)::int, mins => 15 * floor(p.r_minute * 4)::int)) AT TIME ZONE p.zone
               WHEN 'part_of_day' THEN (p.day + make_interval(hours => CASE p.part WHEN 'morning' THEN 6 WHEN 'midday' THEN 11 WHEN 'afternoon' THEN 12 ELSE 18 END)) AT TIME ZONE p.zone
               ELSE p.day::timestamp AT TIME ZONE p.zone
             END AS starts_at,
             CASE p.precision
               WHEN 'exact' THEN NULL
               WHEN 'part_of_day' THEN (p.day + make_interval(hours => CASE p.part WHEN 'morning' THEN 12 WHEN 'midday' THEN 14 WHEN 'afternoon' THEN 18 ELSE 24 END)) AT TIME ZONE p.zone
               ELSE (p.day + 1)::timestamp AT TIME ZONE p.zone
             END AS window_end
      FROM placed p
    )
    INSERT INTO engagements (id, visit_id, leg_id, title, title_translations, kind, status, confirmation, announced_at, press_access,
                             precision, time_label, part_of_day, starts_at, ends_at, time_zone,
                             local_date, venue_id, description, created_at, updated_at, version)
    SELECT pg_temp.uuid7(s.starts_at - interval '20 days'), s.visit_id,
           CASE WHEN s.r_leg_known < 0.05 THEN NULL ELSE s.leg_id END,
           initcap(replace(s.kind::text, '_', ' ')) || ' in ' || s.city,
           CASE WHEN s.r_confirmation < 0.4 THEN jsonb_build_object('fr', initcap(replace(s.kind::text, '_', ' ')) || ' à ' || s.city) ELSE '{}' END,
           s.kind,
           CASE WHEN s.starts_at < now() THEN 'completed' WHEN s.r_status < 0.7 THEN 'confirmed' ELSE 'tentative' END::"ScheduleStatus",
           (enum_range(NULL::"Confirmation"))[1 + floor(s.r_confirmation * 4)::int],
           CASE WHEN s.r_confirmation < 0.75 THEN s.starts_at - interval '15 days' END,
           (enum_range(NULL::"PressAccess"))[1 + floor(s.r_press * 4)::int],
           s.precision::"TimePrecision",
           CASE WHEN s.precision = 'tbd' AND s.r_press < 0.5 THEN 'Time to be confirmed by the protocol office' END,
           CASE WHEN s.precision = 'part_of_day' THEN s.part END,
           s.starts_at,
           CASE WHEN s.precision <> 'exact' THEN s.window_end
                WHEN s.r_length < 0.2 THEN NULL
                ELSE s.starts_at + make_interval(mins => 30 * (1 + floor(s.r_length * 6)::int)) END,
           s.zone, (s.starts_at AT TIME ZONE s.zone)::date,
           CASE WHEN s.r_venue < 0.7 THEN ven.id END,
           CASE WHEN s.k % 2 = 0 THEN 'Part of the official programme in ' || s.city || '. ' || repeat('Details as released by the protocol office. ', 1 + s.k % 4) END,
           s.starts_at - interval '20 days', s.starts_at - interval '10 days', 1 + s.k % 3
    FROM started s
    LEFT JOIN bench_venues ven ON ven.city_n = s.city_n AND ven.k = floor(s.r_venue * $3::int)::int % $3::int`,
  [firstVisit, lastVisit, venuesPerCity])
}

async function insertEngagementParticipants (client: pg.Client, firstVisit: number, lastVisit: number, participants: number) {
  // A few people (heads of state, foreign ministers) take part in many engagements: the cube of
  // a uniform draw gives that long tail.
  await client.query(`
    WITH slots AS (
      SELECT e.id AS engagement_id, e.created_at, slot,
             floor($3 * power(random(), 3))::int AS participant_n, random() AS r_role, random() AS r_title
      FROM engagements e JOIN bench_visits v ON v.id = e.visit_id
      CROSS JOIN LATERAL generate_series(1, get_byte(uuid_send(e.id), 15) % 5) AS slot
      WHERE v.n BETWEEN $1 AND $2
    ), distinct_people AS (
      SELECT DISTINCT ON (s.engagement_id, b.id) s.*, b.id AS participant_id
      FROM slots s JOIN bench_participants b ON b.n = s.participant_n
      ORDER BY s.engagement_id, b.id, s.slot
    )
    INSERT INTO engagement_participants (engagement_id, position, participant_id, role, title, organisation)
    SELECT engagement_id, (row_number() OVER (PARTITION BY engagement_id ORDER BY slot) - 1)::int, participant_id,
           CASE WHEN slot = 1 THEN 'host' WHEN r_role < 0.4 THEN 'counterpart' WHEN r_role < 0.7 THEN 'guest'
                WHEN r_role < 0.85 THEN 'attendee' ELSE 'greeter' END::"ParticipantRole",
           CASE WHEN r_title < 0.6 THEN (ARRAY['President', 'Prime Minister', 'Foreign Minister', 'Ambassador', 'Mayor', 'Chief Executive'])[1 + floor(r_title * 10)::int] END,
           CASE WHEN r_title > 0.7 THEN 'Ministry of Foreign Affairs' END
    FROM distinct_people`, [firstVisit, lastVisit, participants])
}

/**
 * The search documents src/db/search.ts writes: title and people (names, alternative names,
 * translations) weighted A, the venue B, the description C, lower-cased and unaccented as
 * participantNameKey does for the letters of this data set.
 */
async function fillSearchVectors (client: pg.Client, firstVisit: number, lastVisit: number) {
  const document = (text: string, weight: string) => `setweight(to_tsvector('simple', translate(lower(coalesce(${text}, '')), $3, $4)), '${weight}')`
  const translations = (column: string) => `coalesce((SELECT string_agg(value, ' ') FROM jsonb_each_text(${column})), '')`
  await client.query(`
    UPDATE engagements AS e
    SET search_vector = ${document(`e.title || ' ' || ${translations('e.title_translations')}`, 'A')}
      || ${document(`(SELECT string_agg(p.name || ' ' || array_to_string(p.alt_names, ' ') || ' ' || ${translations('p.name_translations')}, ' ')
                      FROM engagement_participants ep JOIN participants p ON p.id = ep.participant_id WHERE ep.engagement_id = e.id)`, 'A')}
      || ${document(`(SELECT ven.name || ' ' || ${translations('ven.name_translations')} || ' ' || ven.city FROM venues ven WHERE ven.id = e.venue_id)`, 'B')}
      || ${document('e.description', 'C')}
    FROM bench_visits v
    WHERE v.id = e.visit_id AND v.n BETWEEN $1 AND $2`, [firstVisit, lastVisit, ACCENTED, PLAIN])
}

async function insertSources (client: pg.Client, firstVisit: number, lastVisit: number) {
  await client.query(`
    INSERT INTO sources (id, engagement_id, position, url, title, kind, publisher, published_at)
    SELECT pg_temp.uuid7(e.created_at), e.id, s - 1,
           CASE WHEN s = 1 THEN 'https://news.example.org/' || to_char(e.created_at, 'YYYY/MM/DD') || '/' || e.id END,
           'Programme announced: ' || e.title,
           (ARRAY['official', 'media', 'pool_report', 'other'])[s + get_byte(uuid_send(e.id), 12) % 3]::"SourceKind",
           ($3::text[])[1 + get_byte(uuid_send(e.id), 13) % array_length($3::text[], 1)],
           CASE WHEN s = 1 THEN e.created_at END
    FROM engagements e JOIN bench_visits v ON v.id = e.visit_id
    CROSS JOIN LATERAL generate_series(1, 1 + (get_byte(uuid_send(e.id), 14) % 10 < 3)::int) AS s
    WHERE v.n BETWEEN $1 AND $2`, [firstVisit, lastVisit, PUBLISHERS])
}
