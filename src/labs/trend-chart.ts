import { formatShortDate } from '../platform/dates'

export interface TrendPoint {
  collectedAt: Date
  value: number
  flag?: string
}

export interface TrendChart {
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

const width = 640
const height = 260
const plot = { left: 72, right: width - 56, top: 28, bottom: height - 48 }

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
): TrendChart {
  const values = points.map((point) => point.value)
  const bounds = [...values, ...[range.low, range.high].filter((value): value is number => value !== undefined)]
  let min = Math.min(...bounds)
  let max = Math.max(...bounds)
  if (min === max) {
    min -= 1
    max += 1
  }
  const padding = (max - min) * 0.1
  min = Math.max(0, min - padding)
  max += padding
  const y = (value: number) => plot.bottom - ((value - min) / (max - min)) * (plot.bottom - plot.top)
  const x = (index: number) =>
    points.length === 1
      ? (plot.left + plot.right) / 2
      : plot.left + ((plot.right - plot.left) * index) / (points.length - 1)
  const unitText = unit ? ` ${unit}` : ''

  const drawn = points.map((point, index) => ({
    x: round(x(index)),
    y: round(y(point.value)),
    label: formatNumber(point.value),
    flagged: point.flag !== undefined && point.flag !== 'Normal',
    flagLetter: point.flag && point.flag !== 'Normal' ? point.flag.charAt(0) : undefined,
  }))
  const tickCount = 4
  const yTicks = Array.from({ length: tickCount + 1 }, (_, index) => {
    const value = min + ((max - min) * index) / tickCount
    return { y: round(y(value)), label: formatNumber(Number(value.toPrecision(3))) }
  })
  const low = range.low ?? min
  const high = range.high ?? max
  const band =
    range.low !== undefined || range.high !== undefined
      ? {
          y: round(y(Math.min(high, max))),
          height: round(y(Math.max(low, min)) - y(Math.min(high, max))),
          label: 'Reference range',
        }
      : undefined

  const first = points[0]
  const last = points[points.length - 1]
  const readings = points
    .map(
      (point) =>
        `${formatShortDate(point.collectedAt)}: ${formatNumber(point.value)}${unitText}${point.flag && point.flag !== 'Normal' ? ` (${point.flag})` : ''}`,
    )
    .join('; ')
  return {
    width,
    height,
    plot,
    band,
    line: drawn.map((point) => `${point.x},${point.y}`).join(' '),
    points: drawn,
    yTicks,
    xLabels: drawn.map((point, index) => ({ x: point.x, label: formatShortDate(points[index].collectedAt) })),
    title: `${testName}: ${points.length} results from ${formatShortDate(first.collectedAt)} to ${formatShortDate(last.collectedAt)}`,
    description: `${readings}.${describeRange(range, unitText)}`,
  }
}

function describeRange(range: { low?: number; high?: number }, unitText: string): string {
  if (range.low !== undefined && range.high !== undefined)
    return ` The shaded band is the reference range, ${formatNumber(range.low)} to ${formatNumber(range.high)}${unitText}.`
  if (range.high !== undefined)
    return ` The shaded band is the reference range, up to ${formatNumber(range.high)}${unitText}.`
  if (range.low !== undefined)
    return ` The shaded band is the reference range, from ${formatNumber(range.low)}${unitText}.`
  return ''
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
