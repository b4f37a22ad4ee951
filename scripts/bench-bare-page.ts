import path from 'node:path'
import express from 'express'

/**
 * The yardstick of `npm run bench:pages`: a bare Express 5 + EJS page (a nav and a 20-row table) with nothing
 * else, no session, no database, no logging. The portal's pages are measured as a share of its requests per
 * second in the same run, since absolute figures drift on a shared machine. Listens on PORT.
 */
const app = express()
app.set('views', path.join(__dirname, '..', 'bench'))
app.set('view engine', 'ejs')
const nav = ['Home', 'Lab results', 'Vaccinations', 'Coverage', 'Appointments', 'Prescriptions'].map((text) => ({
  href: `/${text.toLowerCase().replace(/ /g, '-')}`,
  text,
}))
const rows = Array.from({ length: 20 }, (_, index) => ({
  id: index + 1,
  name: `Row number ${index + 1}`,
  date: `2026-11-${String(index + 1).padStart(2, '0')}`,
  value: (index * 7.25).toFixed(2),
}))
app.get('/', (_req, res) => res.render('bare-page', { title: 'A bare page', nav, rows }))
const server = app.listen(Number(process.env.PORT), '127.0.0.1')
process.once('SIGTERM', () => server.close(() => process.exit(0)))
