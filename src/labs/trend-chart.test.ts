import assert from 'node:assert/strict'
import { niceScale, trendChart } from './trend-chart'

const points = [
  { collectedAt: new Date('2026-01-10T18:00:00Z'), value: 162, flag: 'High' },
  { collectedAt: new Date('2026-05-10T18:00:00Z'), value: 131, flag: 'High' },
  { collectedAt: new Date('2026-09-10T18:00:00Z'), value: 95, flag: 'Normal' },
]

describe('the trend chart', () => {
  const chart = trendChart('LDL cholesterol', 'mg/dL', points, { high: 99 })

  it('draws higher values higher, inside the plot, oldest on the left', () => {
    const ys = chart.points.map((point) => point.y)
    assert.ok(ys[0] < ys[1] && ys[1] < ys[2])
    for (const point of chart.points) {
      assert.ok(point.x >= chart.plot.left && point.x <= chart.plot.right)
      assert.ok(point.y >= chart.plot.top && point.y <= chart.plot.bottom)
    }
    assert.ok(chart.points[0].x > chart.plot.left && chart.points[2].x < chart.plot.right)
    assert.ok(chart.points[0].x < chart.points[1].x && chart.points[1].x < chart.points[2].x)
  })

  it('marks flagged values with a letter as well as a shape', () => {
    assert.deepEqual(
      chart.points.map((point) => [point.flagged, point.flagLetter]),
      [
        [true, 'H'],
        [true, 'H'],
        [false, undefined],
      ],
    )
  })

  it('shades the reference range and describes everything in words', () => {
    assert.ok(chart.band)
    assert.equal(chart.band.y + chart.band.height, chart.plot.bottom)
    assert.equal(chart.title, 'LDL cholesterol: 3 results from Jan 10, 2026 to Sep 10, 2026')
    assert.equal(
      chart.description,
      'Jan 10, 2026: 162 mg/dL (High); May 10, 2026: 131 mg/dL (High); Sep 10, 2026: 95 mg/dL. The shaded band is the reference range, up to 99 mg/dL.',
    )
  })

  it('labels the axis with round numbers that span every value', () => {
    assert.deepEqual(niceScale(95, 162), { min: 80, max: 180, ticks: [80, 100, 120, 140, 160, 180] })
    assert.deepEqual(niceScale(5.8, 6.1).ticks, [5.7, 5.8, 5.9, 6, 6.1, 6.2])
    assert.deepEqual(
      chart.yTicks.map((tick) => tick.label),
      ['80', '100', '120', '140', '160', '180'],
    )
  })

  it('draws a phone-sized copy whose 14-unit text renders at 12 px or more on a 320 px screen', () => {
    const phone = trendChart('LDL cholesterol', 'mg/dL', points, { high: 99 }, 'narrow')
    // A 320 px screen less the page's 1rem margins leaves 288 px for the chart.
    assert.ok((phone.fontSize * 288) / phone.width >= 12)
    assert.ok((phone.dateFontSize * 288) / phone.width >= 12)
    assert.equal(phone.id, 'trend-phone')
    assert.equal(phone.title, chart.title)
    assert.deepEqual(
      phone.xLabels.map((label) => label.label),
      ['Jan 10, 2026', 'Sep 10, 2026'],
    )
    // "Sep 10, 2026" is about 90 units wide at this size: centred on the point, it stays inside the drawing.
    for (const label of phone.xLabels) assert.ok(label.x - 46 >= 0 && label.x + 46 <= phone.width, label.label)
    for (const point of phone.points) assert.ok(point.x > phone.plot.left && point.x < phone.plot.right)
  })
})

describe('the trend chart in Spanish', () => {
  const chart = trendChart('LDL cholesterol', 'mg/dL', points, { high: 99 }, 'wide', 'es')

  it('says everything in Spanish, the test’s name as recorded, with Spanish dates and flag letters', () => {
    assert.equal(chart.title, 'LDL cholesterol: 3 resultados del 10 ene 2026 al 10 sept 2026')
    assert.equal(
      chart.description,
      '10 ene 2026: 162 mg/dL (Alto); 10 may 2026: 131 mg/dL (Alto); 10 sept 2026: 95 mg/dL. La franja sombreada es el rango de referencia, hasta 99 mg/dL.',
    )
    assert.deepEqual(
      chart.points.map((point) => point.flagLetter),
      ['A', 'A', undefined],
    )
    assert.equal(chart.band?.label, 'Rango de referencia')
  })

  it('keeps the phone copy’s Spanish dates inside the drawing', () => {
    const phone = trendChart('LDL cholesterol', 'mg/dL', points, { high: 99 }, 'narrow', 'es')
    for (const label of phone.xLabels) assert.ok(label.x - 46 >= 0 && label.x + 46 <= phone.width, label.label)
  })
})
