import type { Static } from 'typebox'
import type { EngagementCreate } from '../schemas/engagements.js'
import type { LegCreate } from '../schemas/legs.js'
import type { VisitCreate } from '../schemas/visits.js'
import { DEMO_IDS } from './demo-ids.js'

// The demo visit, taken from the news report in shared/seed/lee-state-visit-china-2026-01.txt
// (datelined Beijing, 4 January 2026). Times are only as precise as the report: "Sunday
// afternoon" is a part of day, "on Monday" is a date; no hour is invented. Each row has the id it
// gets when loaded under its own slug (demo-ids.ts).

// The report names no publisher, URL or hour of publication, so the source says only what it is.
const report = {
  title: 'News report datelined Beijing, 4 January 2026: Lee opens state visit to China with a meeting with Koreans living there',
  kind: 'media' as const
}

// Names as the Korean and Chinese press write them.
const lee = { name: 'Lee Jae Myung', title: 'President of the Republic of Korea', country: 'KR', nameTranslations: { ko: '이재명', zh: '李在明' } }
const yin = { name: 'Yin Hejun', country: 'CN' }
const xi = { name: 'Xi Jinping', country: 'CN', nameTranslations: { ko: '시진핑', zh: '习近平' } }
const zhao = { name: 'Zhao Leji', country: 'CN', nameTranslations: { ko: '자오러지', zh: '赵乐际' } }
const li = { name: 'Li Qiang', country: 'CN', nameTranslations: { ko: '리창', zh: '李强' } }
const chen = { name: 'Chen Jining', country: 'CN', nameTranslations: { ko: '천지닝', zh: '陈吉宁' } }

interface Person { name: string, country: string, nameTranslations?: Record<string, string> }
/** A person's own record: the title they hold belongs to each engagement. */
const record = (id: string, { name, country, nameTranslations }: Person) => ({ id, name, country, nameTranslations })

/**
 * The people, created before the engagements, which then find them by name: with all that the
 * engagements say about them, so that they stay at version 1.
 */
export const demoParticipants = [
  record(DEMO_IDS.participants.lee, lee),
  record(DEMO_IDS.participants.yin, yin),
  record(DEMO_IDS.participants.xi, xi),
  record(DEMO_IDS.participants.zhao, zhao),
  record(DEMO_IDS.participants.li, li),
  record(DEMO_IDS.participants.chen, chen)
]

// Everything below comes from one news report: reported, not confirmed by a party to it.
const reported = { confirmation: 'reported' as const }

export const demoVisit: Static<typeof VisitCreate> & { id: string } = {
  id: DEMO_IDS.visit,
  slug: 'lee-jae-myung-china-2026',
  title: 'State visit of President Lee Jae Myung to China',
  titleTranslations: { ko: '이재명 대통령 중국 국빈 방문', zh: '李在明总统对中国进行国事访问' },
  principal: { name: lee.name, title: lee.title },
  originCountry: 'KR',
  kind: 'state_visit',
  status: 'confirmed',
  homeTimeZone: 'Asia/Seoul',
  startDate: '2026-01-04',
  endDate: '2026-01-07',
  summary: 'Four-day state visit, the first by a Korean president since 2017, reciprocating Xi Jinping\'s ' +
    'state visit to Korea around the APEC summit in Gyeongju (30 October - 1 November 2025). ' +
    'Beijing from Sunday 4 January, Shanghai from Tuesday evening, back to Seoul on Wednesday.'
}

/** Legs in order; engagements name their leg by `legSequence`. */
export const demoLegs: Array<Static<typeof LegCreate> & { id: string, sequence: number }> = [
  { id: DEMO_IDS.legs.beijing, sequence: 1, city: 'Beijing', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-04', endDate: '2026-01-06' },
  { id: DEMO_IDS.legs.shanghai, sequence: 2, city: 'Shanghai', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-06', endDate: '2026-01-07' },
  { id: DEMO_IDS.legs.seoul, sequence: 3, city: 'Seoul', country: 'KR', timeZone: 'Asia/Seoul', startDate: '2026-01-07', endDate: '2026-01-07' }
]

type DemoEngagement = Omit<Static<typeof EngagementCreate>, 'legId'> & { id: string, legSequence: number }

const sources = [report]

export const demoEngagements: DemoEngagement[] = [
  {
    id: DEMO_IDS.engagements.arrival,
    legSequence: 1,
    title: 'Arrival at Beijing Capital International Airport',
    kind: 'arrival',
    status: 'completed',
    ...reported,
    time: { precision: 'part_of_day', localDate: '2026-01-04', partOfDay: 'afternoon' },
    venue: { name: 'Beijing Capital International Airport', city: 'Beijing', country: 'CN' },
    participants: [
      { ...lee, role: 'guest' },
      { ...yin, role: 'greeter', title: 'Minister of Science and Technology', organisation: 'Government of the People\'s Republic of China' }
    ],
    description: 'Welcomed by Minister of Science and Technology Yin Hejun, a higher-ranking greeter than on the ' +
      'state visits of 2013 (Zhang Yesui) and 2017 (Kong Xuanyou).',
    sources
  },
  {
    id: DEMO_IDS.engagements.koreansInChina,
    legSequence: 1,
    title: 'Meeting with Koreans living in China',
    kind: 'community',
    status: 'completed',
    ...reported,
    time: { precision: 'date', localDate: '2026-01-04' },
    venue: { name: 'Wanda Vista Hotel', city: 'Beijing', country: 'CN' },
    participants: [{ ...lee, role: 'host' }],
    description: 'About 300 South Koreans living in China. Lee called the visit a milestone for the next 30 years ' +
      'of relations and pledged to make overseas voting easier (only 10 polling stations in China).',
    sources
  },
  {
    id: DEMO_IDS.engagements.businessForum,
    legSequence: 1,
    title: 'Korea-China business forum',
    kind: 'forum',
    status: 'scheduled',
    ...reported,
    time: { precision: 'date', localDate: '2026-01-05' },
    participants: [{ ...lee, role: 'attendee' }],
    sources
  },
  {
    id: DEMO_IDS.engagements.summit,
    legSequence: 1,
    title: 'Summit with President Xi Jinping',
    titleTranslations: { ko: '시진핑 국가주석과 정상회담', zh: '与习近平主席会谈' },
    kind: 'summit',
    status: 'scheduled',
    ...reported,
    time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' },
    participants: [
      { ...lee, role: 'guest' },
      { ...xi, role: 'counterpart', title: 'President of the People\'s Republic of China' }
    ],
    description: 'The high-stakes meeting of the visit, on Monday afternoon.',
    sources
  },
  {
    id: DEMO_IDS.engagements.zhaoLeji,
    legSequence: 1,
    title: 'Meeting with Zhao Leji, chairman of the NPC Standing Committee',
    kind: 'meeting',
    status: 'scheduled',
    ...reported,
    time: { precision: 'date', localDate: '2026-01-05' },
    participants: [
      { ...lee, role: 'guest' },
      { ...zhao, role: 'counterpart', title: 'Chairman of the Standing Committee of the National People\'s Congress', organisation: 'National People\'s Congress' }
    ],
    description: 'After the business forum, according to the report.',
    sources
  },
  {
    id: DEMO_IDS.engagements.talks,
    legSequence: 1,
    title: 'Talks with Premier Li Qiang',
    kind: 'talks',
    status: 'scheduled',
    ...reported,
    time: { precision: 'date', localDate: '2026-01-06' },
    participants: [
      { ...lee, role: 'guest' },
      { ...li, role: 'counterpart', title: 'Premier of the State Council', organisation: 'State Council of the People\'s Republic of China' }
    ],
    sources
  },
  {
    id: DEMO_IDS.engagements.luncheon,
    legSequence: 1,
    title: 'Luncheon with Premier Li Qiang',
    kind: 'meal',
    status: 'scheduled',
    ...reported,
    time: { precision: 'part_of_day', localDate: '2026-01-06', partOfDay: 'midday' },
    participants: [
      { ...lee, role: 'guest' },
      { ...li, role: 'host', title: 'Premier of the State Council', organisation: 'State Council of the People\'s Republic of China' }
    ],
    sources
  },
  {
    id: DEMO_IDS.engagements.shanghaiDinner,
    legSequence: 2,
    title: 'Dinner with Shanghai Party Secretary Chen Jining',
    kind: 'meal',
    status: 'scheduled',
    ...reported,
    time: { precision: 'part_of_day', localDate: '2026-01-06', partOfDay: 'evening' },
    participants: [
      { ...lee, role: 'guest' },
      { ...chen, role: 'host', title: 'Secretary of the Shanghai Municipal Committee of the Communist Party of China' }
    ],
    sources
  },
  {
    id: DEMO_IDS.engagements.startupEvent,
    legSequence: 2,
    title: 'Korea-China venture and startup event',
    kind: 'forum',
    status: 'scheduled',
    ...reported,
    time: { precision: 'date', localDate: '2026-01-07' },
    participants: [{ ...lee, role: 'attendee' }],
    sources
  },
  {
    id: DEMO_IDS.engagements.provisionalGovernment,
    legSequence: 2,
    title: 'Visit to the site of the Provisional Government of the Republic of Korea',
    kind: 'site_visit',
    status: 'scheduled',
    ...reported,
    time: { precision: 'date', localDate: '2026-01-07' },
    venue: { name: 'Site of the Provisional Government of the Republic of Korea', city: 'Shanghai', country: 'CN' },
    participants: [{ ...lee, role: 'guest' }],
    sources
  },
  {
    id: DEMO_IDS.engagements.returnToSeoul,
    legSequence: 3,
    title: 'Return to Seoul',
    kind: 'arrival',
    status: 'scheduled',
    ...reported,
    time: { precision: 'date', localDate: '2026-01-07' },
    participants: [{ ...lee, role: 'guest' }],
    description: 'The report says Lee returns to Seoul after the Wednesday events in Shanghai.',
    sources
  }
]
