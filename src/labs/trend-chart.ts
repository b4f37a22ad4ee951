import { formatShortDate } from '../platform/dates'
import type { TFunction } from 'i18next'
import { type Language, translatorFor } from '../platform/i18n'

export interface TrendPoint {
  collectedAt: Date
  value: number
  flag?: string
}

export interface TrendChart {
  /** Prefix of the SVG's title and description ids: a page draws the chart twice, for wide and narrow screens. */
  id: string
  fontSize: number
  dateFontSize: number
  width: number
  height: number
  plot: { left: number; right: number; top: number; bottom: number }
  band?: { y: number; height: number; label: string }
  line: string
  points: { x: number; y: number; label: string; flagged: boolean; flagLetter?: string }[]
  yTicks: { y: number; label: string }[]
  xLabels: { x: number; label: string }[]
  title: string
  description: string
}

/**
 * Two drawings of the same chart: a wide one, and one half as wide for phones, whose text still renders at
 * 12 px or more on a 320 px screen (the SVG scales to the screen, so its text scales with it). The narrow
 * one labels only the first and last dates; the table below the chart has every date.
 */
const layouts = {
  wide: {
    id: 'trend',
    width: 640,
    height: 260,
    margins: [64, 24, 32, 48],
    inset: 40,
    fontSize: 14,
    dateFontSize: 13,
    everyDate: true,
  },
  narrow: {
    id: 'trend-phone',
    width: 320,
    height: 240,
    margins: [48, 12, 32, 44],
    inset: 44,
    fontSize: 14,
    dateFontSize: 14,
    everyDate: false,
  },
} as const
export type TrendLayout = keyof typeof layouts

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)))
}

/**
 * The geometry of a small line chart of one test's released values, for an SVG drawn on the server. Points
 * are evenly spaced in date order (the table beside it gives the exact dates); flagged values get a letter
 * and a different mark so the chart never relies on colour.
 */
export function trendChart(
  testName: string,
  unit: string | undefined,
  points: TrendPoint[],
  range: { low?: number; high?: number },
  layout: TrendLayout = 'wide',
  language: Language = 'en',
): TrendChart {
  const t = translatorFor(language)
  const shortDate = (at: Date) => formatShortDate(at, language)
  const { id, width, height, margins, inset, fontSize, dateFontSize, everyDate } = layouts[layout]
  const plot = { left: margins[0], right: width - margins[1], top: margins[2], bottom: height - margins[3] }
  const values = points.map((point) => point.value)
  const bounds = [...values, ...[range.low, range.high].filter((value): value is number => value !== undefined)]
  const scale = niceScale(Math.min(...bounds), Math.max(...bounds))
  const { min, max } = scale
  const y = (value: number) => plot.bottom - ((value - min) / (max - min)) * (plot.bottom - plot.top)
  // Points stay clear of the axis and the edges so their labels never touch the tick labels.
  const left = plot.left + inset
  const right = plot.right - inset
  const x = (index: number) =>
    points.length === 1 ? (left + right) / 2 : left + ((right - left) * index) / (points.length - 1)
  const unitText = unit ? ` ${unit}` : ''

  const drawn = points.map((point, index) => ({
    x: round(x(index)),
    y: round(y(point.value)),
    label: formatNumber(point.value),
    flagged: point.flag !== undefined && point.flag !== 'Normal',
    flagLetter: point.flag && point.flag !== 'Normal' ? t(`labs:flagLetters.${point.flag}`) : undefined,
  }))
  const yTicks = scale.ticks.map((value) => ({ y: round(y(value)), label: formatNumber(value) }))
  const low = range.low ?? min
  const high = range.high ?? max
  const band =
    range.low !== undefined || range.high !== undefined
      ? {
          y: round(y(Math.min(high, max))),
          height: round(y(Math.max(low, min)) - y(Math.min(high, max))),
          label: t('labs:chart.band'),
        }
      : undefined

  const first = points[0]
  const last = points[points.length - 1]
  const readings = points
    .map((point) => {
      const values = { date: shortDate(point.collectedAt), value: `${formatNumber(point.value)}${unitText}` }
      return point.flag && point.flag !== 'Normal'
        ? t('labs:chart.flaggedReading', { ...values, flag: t(`labs:flags.${point.flag}`) })
        : t('labs:chart.reading', values)
    })
    .join('; ')
  const rangeText = describeRange(range, unitText, t)
  return {
    id,
    fontSize,
    dateFontSize,
    width,
    height,
    plot,
    band,
    line: drawn.map((point) => `${point.x},${point.y}`).join(' '),
    points: drawn,
    yTicks,
    xLabels: drawn
      .map((point, index) => ({ x: point.x, label: shortDate(points[index].collectedAt) }))
      .filter((_label, index) => everyDate || index === 0 || index === drawn.length - 1),
    title: t('labs:chart.title', {
      test: testName,
      count: points.length,
      from: shortDate(first.collectedAt),
      to: shortDate(last.collectedAt),
    }),
    description: rangeText ? `${readings}. ${rangeText}` : `${readings}.`,
  }
}

/** The reference range in words, in the reader's language ("95 to 99 mg/dL"); empty when the test has none. */
function describeRange(range: { low?: number; high?: number }, unitText: string, t: TFunction): string {
  const { low, high } = range
  if (low !== undefined && high !== undefined)
    return t('labs:chart.rangeBoth', { low: formatNumber(low), high: `${formatNumber(high)}${unitText}` })
  if (high !== undefined) return t('labs:chart.rangeHigh', { high: `${formatNumber(high)}${unitText}` })
  if (low !== undefined) return t('labs:chart.rangeLow', { low: `${formatNumber(low)}${unitText}` })
  return ''
}

/** Round tick values (1, 2, 2.5 or 5 times a power of ten) spanning the values, about four steps. */
export function niceScale(low: number, high: number): { min: number; max: number; ticks: number[] } {
  const span = high - low || Math.abs(high) || 1
  const rough = span / 4
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough)!
  // Counted in whole steps so floating point (6.1 / 0.1 = 60.999…) cannot add or drop a tick.
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-9
  let first = Math.floor(low / step + 1e-9)
  let last = Math.ceil(high / step - 1e-9)
  // A value on the edge gets a step of room, so its label never sits on the frame.
  if (near(first * step, low) && first > 0) first -= 1
  if (near(last * step, high)) last += 1
  const ticks: number[] = []
  for (let index = first; index <= last; index++) ticks.push(Number((index * step).toPrecision(12)))
  const min = ticks[0]
  const max = ticks[ticks.length - 1]
  return { min, max, ticks }
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
