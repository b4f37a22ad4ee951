import type { Knex } from 'knex'
import { estimateCost } from '../coverage/estimate'
import type { ReleaseCategory } from '../labs/release'
import { planDate } from '../platform/dates'

/**
 * The demo members' own records: lab results in every release tier, immunizations from birth on, coverage
 * partly met and a year of claims. Times are relative to the seed's clock so the release rules show the
 * same way whenever the demo is loaded (a result from yesterday is still inside its hold).
 */

export interface SeededMember {
  id: number
  mrn: string
  firstName: string
  lastName: string
  birthDate: string
}

const hourMs = 60 * 60 * 1000
const dayMs = 24 * hourMs

type Flag = 'normal' | 'high' | 'low' | 'abnormal' | null

interface LabSeries {
  code: string
  name: string
  panel?: string
  category: ReleaseCategory
  unit?: string
  range?: string
  low?: number
  high?: number
  provider: string
  /** [days before the seed, value, flag]; a numeric value also feeds the trend. */
  results: [number, string, Flag][]
}

const lipidPanel = 'Lipid panel'
const metabolicPanel = 'Basic metabolic panel'
const bloodCount = 'Complete blood count'

const labs: Record<string, LabSeries[]> = {
  // Alex: a cholesterol trend coming down, prediabetes watch, one result of each withheld kind.
  '11000003': [
    {
      code: 'LDL',
      name: 'LDL cholesterol',
      panel: lipidPanel,
      category: 'routine',
      unit: 'mg/dL',
      range: 'Below 100',
      high: 99,
      provider: 'bell',
      results: [
        [400, '162', 'high'],
        [220, '148', 'high'],
        [110, '131', 'high'],
        [0, '118', 'high'],
      ],
    },
    {
      code: 'HDL',
      name: 'HDL cholesterol',
      panel: lipidPanel,
      category: 'routine',
      unit: 'mg/dL',
      range: '40 or above',
      low: 40,
      provider: 'bell',
      results: [
        [400, '38', 'low'],
        [220, '41', 'normal'],
        [110, '44', 'normal'],
        [0, '47', 'normal'],
      ],
    },
    {
      code: 'CHOL',
      name: 'Total cholesterol',
      panel: lipidPanel,
      category: 'routine',
      unit: 'mg/dL',
      range: 'Below 200',
      high: 199,
      provider: 'bell',
      results: [
        [400, '238', 'high'],
        [220, '221', 'high'],
        [110, '204', 'high'],
        [0, '189', 'normal'],
      ],
    },
    {
      code: 'TRIG',
      name: 'Triglycerides',
      panel: lipidPanel,
      category: 'routine',
      unit: 'mg/dL',
      range: 'Below 150',
      high: 149,
      provider: 'bell',
      results: [
        [400, '190', 'high'],
        [220, '172', 'high'],
        [110, '151', 'high'],
        [0, '139', 'normal'],
      ],
    },
    {
      code: 'A1C',
      name: 'Hemoglobin A1c',
      category: 'standard',
      unit: '%',
      range: '4.0 to 5.6',
      low: 4,
      high: 5.6,
      provider: 'bell',
      results: [
        [400, '5.9', 'high'],
        [220, '6.1', 'high'],
        [110, '5.8', 'high'],
      ],
    },
    {
      code: 'GLU',
      name: 'Glucose, fasting',
      panel: metabolicPanel,
      category: 'routine',
      unit: 'mg/dL',
      range: '70 to 99',
      low: 70,
      high: 99,
      provider: 'bell',
      results: [
        [220, '104', 'high'],
        [110, '97', 'normal'],
      ],
    },
    {
      code: 'K',
      name: 'Potassium',
      panel: metabolicPanel,
      category: 'routine',
      unit: 'mmol/L',
      range: '3.5 to 5.1',
      low: 3.5,
      high: 5.1,
      provider: 'bell',
      results: [
        [220, '4.1', 'normal'],
        [110, '4.4', 'normal'],
      ],
    },
    {
      code: 'VITD',
      name: 'Vitamin D, 25-hydroxy',
      category: 'standard',
      unit: 'ng/mL',
      range: '30 to 100',
      low: 30,
      high: 100,
      provider: 'bell',
      results: [
        [110, '18', 'low'],
        [20, '27', 'low'],
      ],
    },
    {
      code: 'CXR',
      name: 'Chest X-ray report',
      category: 'sensitive',
      provider: 'ortiz',
      results: [[45, 'Two views of the chest. No acute cardiopulmonary process. Heart size is normal.', null]],
    },
    // Resulted yesterday: inside its 3-business-day hold.
    {
      code: 'MG',
      name: 'Magnesium',
      category: 'standard',
      unit: 'mg/dL',
      range: '1.70 to 2.40',
      low: 1.7,
      high: 2.4,
      provider: 'bell',
      results: [[1, '1.64', 'low']],
    },
    // Resulted two days ago: inside its 7-business-day hold.
    {
      code: 'SKINPATH',
      name: 'Skin biopsy pathology report',
      category: 'sensitive',
      provider: 'ortiz',
      results: [[2, 'Seborrheic keratosis, benign. No atypia identified.', null]],
    },
    // Never shown online, however old.
    {
      code: 'HIV',
      name: 'HIV-1/2 antigen and antibody screen',
      category: 'never-online',
      provider: 'bell',
      results: [[30, 'Nonreactive', 'normal']],
    },
  ],
  // Sam: a blood count that recovered, a strep test, a culture still on hold.
  '11000004': [
    {
      code: 'HGB',
      name: 'Hemoglobin',
      panel: bloodCount,
      category: 'routine',
      unit: 'g/dL',
      range: '11.5 to 15.5',
      low: 11.5,
      high: 15.5,
      provider: 'park',
      results: [
        [400, '11.2', 'low'],
        [30, '12.4', 'normal'],
      ],
    },
    {
      code: 'LEAD',
      name: 'Lead, blood',
      category: 'standard',
      unit: 'µg/dL',
      range: 'Below 3.5',
      high: 3.4,
      provider: 'park',
      results: [[400, '1.2', 'normal']],
    },
    {
      code: 'STREP',
      name: 'Rapid strep test',
      category: 'routine',
      provider: 'park',
      results: [[5, 'Negative', 'normal']],
    },
    {
      code: 'THROATCX',
      name: 'Throat culture',
      category: 'standard',
      provider: 'park',
      results: [[1, 'No group A Streptococcus isolated after 48 hours.', null]],
    },
  ],
  // Jordan: vitamin D up, a positive mono test, a confidential test never shown online.
  '11000005': [
    {
      code: 'HGB',
      name: 'Hemoglobin',
      panel: bloodCount,
      category: 'routine',
      unit: 'g/dL',
      range: '12.0 to 16.0',
      low: 12,
      high: 16,
      provider: 'park',
      results: [
        [200, '13.1', 'normal'],
        [20, '13.6', 'normal'],
      ],
    },
    {
      code: 'VITD',
      name: 'Vitamin D, 25-hydroxy',
      category: 'standard',
      unit: 'ng/mL',
      range: '30 to 100',
      low: 30,
      high: 100,
      provider: 'park',
      results: [
        [200, '22', 'low'],
        [20, '31', 'normal'],
      ],
    },
    {
      code: 'MONO',
      name: 'Mononucleosis spot test',
      category: 'routine',
      provider: 'park',
      results: [[20, 'Positive', 'abnormal']],
    },
    {
      code: 'CTNG',
      name: 'Chlamydia and gonorrhea test',
      category: 'never-online',
      provider: 'park',
      results: [[14, 'Not detected', 'normal']],
    },
    {
      code: 'ALT',
      name: 'ALT (liver enzyme)',
      category: 'standard',
      unit: 'U/L',
      range: '7 to 35',
      low: 7,
      high: 35,
      provider: 'park',
      results: [[1, '48.25', 'high']],
    },
  ],
  // Pat: diabetes improving, kidney function drifting down, a bone density report, a genetic test on hold.
  '11000006': [
    {
      code: 'A1C',
      name: 'Hemoglobin A1c',
      category: 'standard',
      unit: '%',
      range: '4.0 to 5.6',
      low: 4,
      high: 5.6,
      provider: 'haddad',
      results: [
        [380, '7.6', 'high'],
        [270, '7.4', 'high'],
        [180, '7.1', 'high'],
        [90, '6.9', 'high'],
      ],
    },
    {
      code: 'EGFR',
      name: 'eGFR (kidney function)',
      panel: metabolicPanel,
      category: 'routine',
      unit: 'mL/min/1.73m²',
      range: '60 or above',
      low: 60,
      provider: 'haddad',
      results: [
        [270, '68', 'normal'],
        [180, '63', 'normal'],
        [90, '61', 'normal'],
        [0, '58', 'low'],
      ],
    },
    {
      code: 'K',
      name: 'Potassium',
      panel: metabolicPanel,
      category: 'routine',
      unit: 'mmol/L',
      range: '3.5 to 5.1',
      low: 3.5,
      high: 5.1,
      provider: 'haddad',
      results: [
        [270, '4.6', 'normal'],
        [180, '5.4', 'high'],
        [90, '4.9', 'normal'],
        [0, '4.7', 'normal'],
      ],
    },
    {
      code: 'UPROT',
      name: 'Urine protein',
      category: 'routine',
      range: 'Negative',
      provider: 'haddad',
      results: [[90, 'Trace', 'abnormal']],
    },
    {
      code: 'DEXA',
      name: 'Bone density scan (DEXA) report',
      category: 'sensitive',
      provider: 'haddad',
      results: [[60, 'Osteopenia of the left hip (T-score -1.8). Lumbar spine within normal limits.', 'abnormal']],
    },
    {
      code: 'TSH',
      name: 'Thyroid stimulating hormone (TSH)',
      category: 'standard',
      unit: 'mIU/L',
      range: '0.40 to 4.00',
      low: 0.4,
      high: 4,
      provider: 'haddad',
      results: [[1, '5.87', 'high']],
    },
    {
      code: 'PGX',
      name: 'Pharmacogenomic panel (CYP2C19)',
      category: 'sensitive',
      provider: 'haddad',
      results: [[3, 'CYP2C19 *1/*2: intermediate metabolizer.', null]],
    },
  ],
}

interface Shot {
  vaccine: string
  cvx: string
  dose: string
  on: string
  at: string
}

const pediatrics = 'San Leandro Medical Center, Pediatrics'
const pharmacy = 'Linden Pharmacy, San Leandro'

/** A calendar date some months (and days) after another. */
function dateAfter(date: string, months: number, days = 0): string {
  const at = new Date(`${date}T12:00:00Z`)
  at.setUTCMonth(at.getUTCMonth() + months)
  at.setUTCDate(at.getUTCDate() + days)
  return at.toISOString().slice(0, 10)
}

/** The childhood series on the CDC's schedule, as given at the pediatric clinic. */
function childhoodSeries(birthDate: string): Shot[] {
  const series: [string, string, number[]][] = [
    ['Hepatitis B, pediatric', '08', [0, 2, 6]],
    ['Rotavirus, pentavalent (RV5)', '116', [2, 4, 6]],
    ['DTaP', '20', [2, 4, 6, 15, 48]],
    ['Hib (PRP-T)', '48', [2, 4, 6, 15]],
    ['Pneumococcal conjugate (PCV13)', '133', [2, 4, 6, 12]],
    ['Polio, inactivated (IPV)', '10', [2, 4, 6, 48]],
    ['MMR (measles, mumps, rubella)', '03', [12, 48]],
    ['Varicella (chickenpox)', '21', [12, 48]],
    ['Hepatitis A, pediatric', '83', [12, 18]],
  ]
  return series.flatMap(([vaccine, cvx, months]) =>
    months.map((month, index) => ({
      vaccine,
      cvx,
      dose: `Dose ${index + 1} of ${months.length}`,
      on: dateAfter(birthDate, month),
      at: month === 0 ? 'Bayside Community Hospital, Oakland (at birth)' : pediatrics,
    })),
  )
}

/** One flu shot each autumn for the last few seasons that have started. */
function fluShots(today: string, seasons: number, vaccine: string, cvx: string, at: string): Shot[] {
  const year = Number(today.slice(0, 4))
  const shots: Shot[] = []
  for (let season = year - seasons; season <= year; season++) {
    const on = `${season}-10-14`
    if (on <= today) shots.push({ vaccine, cvx, dose: `${season}–${season + 1} season`, on, at })
  }
  return shots.slice(-seasons)
}

function immunizationsFor(member: SeededMember, today: string): Shot[] {
  const flu = (at: string) => fluShots(today, 3, 'Influenza, injectable, preservative free', '140', at)
  switch (member.mrn) {
    case '11000003':
      return [
        {
          vaccine: 'MMR (measles, mumps, rubella)',
          cvx: '03',
          dose: 'Dose 1 of 2',
          on: '1981-06-25',
          at: 'Records from childhood doctor',
        },
        {
          vaccine: 'MMR (measles, mumps, rubella)',
          cvx: '03',
          dose: 'Dose 2 of 2',
          on: '1985-09-03',
          at: 'Records from childhood doctor',
        },
        {
          vaccine: 'Hepatitis B, adult',
          cvx: '43',
          dose: 'Dose 1 of 3',
          on: '2018-02-12',
          at: 'San Leandro Medical Center',
        },
        {
          vaccine: 'Hepatitis B, adult',
          cvx: '43',
          dose: 'Dose 2 of 3',
          on: '2018-03-14',
          at: 'San Leandro Medical Center',
        },
        {
          vaccine: 'Hepatitis B, adult',
          cvx: '43',
          dose: 'Dose 3 of 3',
          on: '2018-08-20',
          at: 'San Leandro Medical Center',
        },
        { vaccine: 'Tdap', cvx: '115', dose: 'Booster', on: '2019-04-10', at: 'San Leandro Medical Center' },
        {
          vaccine: 'COVID-19, mRNA (Pfizer)',
          cvx: '208',
          dose: 'Dose 1 of 2',
          on: '2021-04-08',
          at: 'Oakland Coliseum vaccination site',
        },
        {
          vaccine: 'COVID-19, mRNA (Pfizer)',
          cvx: '208',
          dose: 'Dose 2 of 2',
          on: '2021-04-29',
          at: 'Oakland Coliseum vaccination site',
        },
        ...flu(pharmacy),
      ]
    case '11000004':
      return [...childhoodSeries(member.birthDate), ...flu(pediatrics)]
    case '11000005':
      return [
        ...childhoodSeries(member.birthDate),
        {
          vaccine: 'Tdap',
          cvx: '115',
          dose: 'Adolescent booster',
          on: dateAfter(member.birthDate, 132),
          at: pediatrics,
        },
        {
          vaccine: 'HPV, 9-valent',
          cvx: '165',
          dose: 'Dose 1 of 2',
          on: dateAfter(member.birthDate, 132),
          at: pediatrics,
        },
        {
          vaccine: 'HPV, 9-valent',
          cvx: '165',
          dose: 'Dose 2 of 2',
          on: dateAfter(member.birthDate, 139),
          at: pediatrics,
        },
        {
          vaccine: 'Meningococcal ACWY (MenACWY-D)',
          cvx: '114',
          dose: 'Dose 1 of 2',
          on: dateAfter(member.birthDate, 132),
          at: pediatrics,
        },
        ...flu(pediatrics),
      ]
    case '11000006':
      return [
        {
          vaccine: 'Pneumococcal polysaccharide (PPSV23)',
          cvx: '33',
          dose: 'Single dose',
          on: '2015-05-18',
          at: 'Oakland Medical Center',
        },
        { vaccine: 'Tdap', cvx: '115', dose: 'Booster', on: '2016-01-21', at: 'Oakland Medical Center' },
        {
          vaccine: 'Zoster, recombinant (Shingrix)',
          cvx: '187',
          dose: 'Dose 1 of 2',
          on: '2019-03-05',
          at: 'Oakland Medical Center',
        },
        {
          vaccine: 'Zoster, recombinant (Shingrix)',
          cvx: '187',
          dose: 'Dose 2 of 2',
          on: '2019-07-09',
          at: 'Oakland Medical Center',
        },
        {
          vaccine: 'COVID-19, mRNA (Pfizer)',
          cvx: '208',
          dose: 'Dose 1 of 2',
          on: '2021-01-28',
          at: 'Alameda County vaccination site',
        },
        {
          vaccine: 'COVID-19, mRNA (Pfizer)',
          cvx: '208',
          dose: 'Dose 2 of 2',
          on: '2021-02-18',
          at: 'Alameda County vaccination site',
        },
        {
          vaccine: 'Pneumococcal conjugate (PCV20)',
          cvx: '216',
          dose: 'Single dose',
          on: '2023-06-13',
          at: 'Oakland Medical Center',
        },
        ...fluShots(today, 3, 'Influenza, high dose, preservative free', '135', 'Oakland Medical Center'),
      ]
    default:
      return []
  }
}

interface Benefit {
  code: string
  name: string
  copay?: number
  coinsurance?: number
  typical: number
  note?: string
}

const silverBenefits: Benefit[] = [
  { code: 'preventive-care', name: 'Preventive care (checkups, screenings, vaccines)', copay: 0, typical: 25_000 },
  { code: 'primary-care-visit', name: 'Primary care visit', copay: 2_500, typical: 18_000 },
  { code: 'specialist-visit', name: 'Specialist visit', copay: 5_000, typical: 26_000 },
  { code: 'urgent-care', name: 'Urgent care visit', copay: 7_500, typical: 32_000 },
  {
    code: 'emergency-room',
    name: 'Emergency room visit',
    copay: 30_000,
    typical: 220_000,
    note: 'Waived if you are admitted',
  },
  { code: 'generic-drugs', name: 'Generic drugs (30-day supply)', copay: 1_000, typical: 3_000 },
  { code: 'lab-tests', name: 'Lab tests', coinsurance: 20, typical: 9_500 },
  { code: 'x-ray', name: 'X-ray', coinsurance: 20, typical: 25_000 },
  { code: 'mri-ct', name: 'MRI or CT scan', coinsurance: 20, typical: 120_000 },
  { code: 'outpatient-surgery', name: 'Outpatient surgery', coinsurance: 20, typical: 450_000 },
  { code: 'hospital-stay', name: 'Hospital stay (per admission)', coinsurance: 20, typical: 1_800_000 },
]

const seniorBenefits: Benefit[] = [
  { code: 'preventive-care', name: 'Preventive care (checkups, screenings, vaccines)', copay: 0, typical: 25_000 },
  { code: 'primary-care-visit', name: 'Primary care visit', copay: 1_000, typical: 15_000 },
  { code: 'specialist-visit', name: 'Specialist visit', copay: 3_500, typical: 22_000 },
  { code: 'urgent-care', name: 'Urgent care visit', copay: 4_000, typical: 28_000 },
  {
    code: 'emergency-room',
    name: 'Emergency room visit',
    copay: 9_000,
    typical: 200_000,
    note: 'Waived if you are admitted',
  },
  { code: 'generic-drugs', name: 'Generic drugs (30-day supply)', copay: 500, typical: 2_500 },
  { code: 'lab-tests', name: 'Lab tests', coinsurance: 20, typical: 8_000 },
  { code: 'x-ray', name: 'X-ray', coinsurance: 20, typical: 22_000 },
  { code: 'mri-ct', name: 'MRI or CT scan', coinsurance: 20, typical: 120_000 },
  { code: 'outpatient-surgery', name: 'Outpatient surgery', coinsurance: 20, typical: 400_000 },
  { code: 'hospital-stay', name: 'Hospital stay (per admission)', coinsurance: 20, typical: 1_700_000 },
]

/** [days before the seed, benefit code, what was done, who did it] */
type Visit = [number, string, string, string]

const bell = 'Dr. Marcus Bell, San Leandro Medical Center'
const park = 'Dr. Lena Park, San Leandro Medical Center'
const haddad = 'Dr. Amir Haddad, Oakland Medical Center'

const coverageOf: Record<string, { plan: 'silver' | 'senior'; subscriber: string; from: string; visits: Visit[] }> = {
  '11000003': {
    plan: 'silver',
    subscriber: 'Alex Rivera',
    from: '2019-01-01',
    visits: [
      [350, 'primary-care-visit', 'Office visit, primary care', bell],
      [340, 'lab-tests', 'Lab tests: lipid panel, hemoglobin A1c', 'San Leandro Medical Center Laboratory'],
      [300, 'primary-care-visit', 'Office visit, primary care', bell],
      [295, 'lab-tests', 'Lab tests: lipid panel, metabolic panel', 'San Leandro Medical Center Laboratory'],
      [180, 'specialist-visit', 'Specialist visit, dermatology', 'Dr. Helen Ortiz, Oakland Medical Center'],
      [150, 'urgent-care', 'Urgent care visit', 'Oakland Medical Center Urgent Care'],
      [110, 'preventive-care', 'Annual checkup', bell],
      [108, 'lab-tests', 'Lab tests: lipid panel, vitamin D', 'San Leandro Medical Center Laboratory'],
      [95, 'mri-ct', 'MRI, lower back', 'Bay Imaging Center, Oakland'],
      [75, 'generic-drugs', 'Atorvastatin 20 mg, 30 days', pharmacy],
      [45, 'x-ray', 'Chest X-ray, two views', 'Oakland Medical Center Imaging'],
      [44, 'generic-drugs', 'Atorvastatin 20 mg, 30 days', pharmacy],
      [14, 'specialist-visit', 'Specialist visit, dermatology: skin biopsy', 'Dr. Helen Ortiz, Oakland Medical Center'],
      [13, 'lab-tests', 'Pathology: skin biopsy', 'Oakland Medical Center Pathology'],
      [2, 'lab-tests', 'Lab tests: lipid panel, magnesium', 'San Leandro Medical Center Laboratory'],
    ],
  },
  '11000004': {
    plan: 'silver',
    subscriber: 'Alex Rivera',
    from: '',
    visits: [
      [300, 'preventive-care', 'Well-child checkup', park],
      [290, 'urgent-care', 'Urgent care visit: ear infection', 'Oakland Medical Center Urgent Care'],
      [288, 'generic-drugs', 'Amoxicillin suspension, 10 days', pharmacy],
      [120, 'primary-care-visit', 'Office visit, pediatrics', park],
      [30, 'lab-tests', 'Lab tests: blood count', 'San Leandro Medical Center Laboratory'],
      [5, 'primary-care-visit', 'Office visit, pediatrics: sore throat', park],
    ],
  },
  '11000005': {
    plan: 'silver',
    subscriber: 'Alex Rivera',
    from: '',
    visits: [
      [330, 'preventive-care', 'Sports physical', park],
      [200, 'emergency-room', 'Emergency room visit: knee injury', 'Oakland Medical Center Emergency'],
      [199, 'x-ray', 'Knee X-ray, three views', 'Oakland Medical Center Imaging'],
      [190, 'mri-ct', 'MRI, left knee', 'Bay Imaging Center, Oakland'],
      [160, 'outpatient-surgery', 'Knee arthroscopy', 'East Bay Orthopedics'],
      [20, 'primary-care-visit', 'Office visit, pediatrics', park],
    ],
  },
  '11000006': {
    plan: 'senior',
    subscriber: 'Pat Rivera',
    from: '2013-10-01',
    visits: [
      [380, 'primary-care-visit', 'Office visit, geriatrics', haddad],
      [300, 'primary-care-visit', 'Office visit, geriatrics', haddad],
      [190, 'hospital-stay', 'Hospital stay: pneumonia, 4 days', 'Oakland Medical Center'],
      [170, 'specialist-visit', 'Specialist visit, nephrology', 'Dr. Helen Ortiz, Oakland Medical Center'],
      [120, 'specialist-visit', 'Specialist visit, cardiology', 'Oakland Medical Center Cardiology'],
      [90, 'primary-care-visit', 'Office visit, geriatrics', haddad],
      [60, 'x-ray', 'Bone density scan (DEXA)', 'Oakland Medical Center Imaging'],
      [30, 'generic-drugs', 'Metformin 500 mg, 30 days', 'Bayview Pharmacy, Alameda'],
      [3, 'specialist-visit', 'Specialist visit, endocrinology', 'Oakland Medical Center Endocrinology'],
    ],
  },
}

/**
 * The plan year runs from the first of the month eight months before the seed, so it is always well under way
 * (claims up to 240 days old are always in it, those over 280 days never are).
 */
function planYear(today: string): { start: string; end: string } {
  const start = dateAfter(`${today.slice(0, 7)}-01`, -8)
  return { start, end: dateAfter(start, 12, -1) }
}

export async function seedHealthRecords(
  trx: Knex.Transaction,
  now: Date,
  members: SeededMember[],
  providerIds: Map<string, { id: number }>,
): Promise<void> {
  const today = planDate(now)
  const year = planYear(today)

  for (const member of members) {
    for (const series of labs[member.mrn] ?? []) {
      for (const [daysAgo, value, flag] of series.results) {
        // Routine panels come back within hours; the rest a day or two after the sample.
        const resultedAt = new Date(now.getTime() - daysAgo * dayMs - 3 * hourMs)
        const collectedAt = new Date(resultedAt.getTime() - (series.category === 'routine' ? 5 * hourMs : 2 * dayMs))
        const numeric = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : null
        await trx('lab_results').insert({
          member_id: member.id,
          test_code: series.code,
          test_name: series.name,
          panel_name: series.panel ?? null,
          release_category: series.category,
          value,
          numeric_value: numeric,
          unit: series.unit ?? null,
          reference_range: series.range ?? null,
          reference_low: series.low ?? null,
          reference_high: series.high ?? null,
          flag,
          collected_at: collectedAt,
          resulted_at: resultedAt,
          ordering_provider_id: providerIds.get(series.provider)!.id,
        })
      }
    }
    const shots = immunizationsFor(member, today).filter((shot) => shot.on <= today)
    for (const shot of shots) {
      await trx('immunizations').insert({
        member_id: member.id,
        vaccine_name: shot.vaccine,
        cvx_code: shot.cvx,
        dose: shot.dose,
        administered_on: shot.on,
        given_at: shot.at,
      })
    }
  }

  const planIds: Record<string, number> = {}
  const plans = {
    silver: {
      name: 'Silver 2000',
      type: 'HMO',
      deductible: 200_000,
      outOfPocketMax: 600_000,
      benefits: silverBenefits,
    },
    senior: {
      name: 'Senior Advantage',
      type: 'Medicare Advantage HMO',
      deductible: 25_000,
      outOfPocketMax: 390_000,
      benefits: seniorBenefits,
    },
  }
  for (const [key, plan] of Object.entries(plans)) {
    const [id] = await trx('plans').insert({
      name: plan.name,
      plan_type: plan.type,
      plan_year_start: year.start,
      plan_year_end: year.end,
      deductible_cents: plan.deductible,
      out_of_pocket_max_cents: plan.outOfPocketMax,
    })
    planIds[key] = Number(id)
    for (const [order, benefit] of plan.benefits.entries()) {
      await trx('plan_benefits').insert({
        plan_id: Number(id),
        service_code: benefit.code,
        service_name: benefit.name,
        cost_share: benefit.copay === undefined ? 'coinsurance' : 'copay',
        copay_cents: benefit.copay ?? null,
        coinsurance_percent: benefit.coinsurance ?? null,
        typical_allowed_cents: benefit.typical,
        note: benefit.note ?? null,
        sort_order: order,
      })
    }
  }

  for (const member of members) {
    const coverage = coverageOf[member.mrn]
    if (!coverage) continue
    const plan = plans[coverage.plan]
    // Claims are priced by the same rule as the estimate, in date order, so the meters add up.
    let deductibleMet = 0
    let outOfPocketMet = 0
    let sequence = 0
    for (const [daysAgo, code, description, provider] of [...coverage.visits].sort((a, b) => b[0] - a[0])) {
      const benefit = plan.benefits.find((candidate) => candidate.code === code)!
      const serviceDate = planDate(new Date(now.getTime() - daysAgo * dayMs))
      const inPlanYear = serviceDate >= year.start
      const allowed = benefit.typical
      // Providers bill more than the plan allows; the difference is the plan's negotiated discount.
      const billed = Math.round((allowed * 1.4) / 100) * 100
      sequence += 1
      const claimNumber = `C${member.mrn}${String(sequence).padStart(3, '0')}`
      if (daysAgo < 10) {
        await trx('claims').insert({
          member_id: member.id,
          claim_number: claimNumber,
          service_date: serviceDate,
          provider_name: provider,
          service_description: description,
          status: 'pending',
          billed_cents: billed,
        })
        continue
      }
      const estimate = estimateCost(
        benefit.copay === undefined
          ? { kind: 'coinsurance', percent: benefit.coinsurance! }
          : { kind: 'copay', copayCents: benefit.copay },
        allowed,
        {
          deductibleCents: plan.deductible,
          deductibleMetCents: inPlanYear ? deductibleMet : 0,
          outOfPocketMaxCents: plan.outOfPocketMax,
          outOfPocketMetCents: inPlanYear ? outOfPocketMet : 0,
        },
      )
      const owes = estimate.memberPaysCents
      const deductible = Math.min(estimate.deductibleCents, owes)
      if (inPlanYear) {
        deductibleMet += deductible
        outOfPocketMet += owes
      }
      await trx('claims').insert({
        member_id: member.id,
        claim_number: claimNumber,
        service_date: serviceDate,
        provider_name: provider,
        service_description: description,
        status: 'processed',
        processed_on: planDate(new Date(now.getTime() - (daysAgo - 9) * dayMs)),
        billed_cents: billed,
        allowed_cents: allowed,
        plan_paid_cents: allowed - owes,
        deductible_cents: deductible,
        copay_cents: estimate.copayCents,
        coinsurance_cents: owes - deductible - estimate.copayCents,
        member_owes_cents: owes,
      })
    }
    await trx('coverages').insert({
      member_id: member.id,
      plan_id: planIds[coverage.plan],
      member_number: `HB${member.mrn}`,
      group_number: coverage.plan === 'silver' ? '20418' : '77100',
      subscriber_name: coverage.subscriber,
      effective_from: coverage.from || member.birthDate,
      deductible_met_cents: deductibleMet,
      out_of_pocket_met_cents: outOfPocketMet,
      accumulators_as_of: planDate(new Date(now.getTime() - 2 * dayMs)),
    })
  }
}
