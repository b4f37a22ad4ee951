import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import * as cheerio from 'cheerio'
import { localesDirectory, namespaces } from '../../src/platform/i18n'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : flatten(value, `${prefix}${key}.`),
  )
}

const read = (language: string, namespace: string): Map<string, string> =>
  new Map(flatten(JSON.parse(readFileSync(path.join(localesDirectory, language, `${namespace}.json`), 'utf8')) as Tree))

/**
 * The English the message files hold that Spanish says otherwise, as fragments a page would show: each message
 * cut at its placeholders and markup, keeping pieces of three words or more (shorter ones, "Home", "Error",
 * turn up in names and recorded text).
 */
export function englishOnlyFragments(): string[] {
  const fragments = new Set<string>()
  for (const namespace of namespaces()) {
    const english = read('en', namespace)
    const spanish = read('es', namespace)
    for (const [key, value] of english) {
      if (spanish.get(key) === value) continue
      for (const piece of value.split(/\{\{[^}]*\}\}|\$t\([^)]*\)|<[^>]*>/)) {
        const words = piece.replace(/\s+/g, ' ').trim()
        if (words.split(' ').filter((word) => /[A-Za-z]/.test(word)).length >= 3) fragments.add(words)
      }
    }
  }
  return [...fragments]
}

/** The member-facing templates (the staff areas stay English). */
export function memberTemplates(viewsDirectory: string): string[] {
  const staff = new Set(['ops', 'office', 'mailroom'])
  const walk = (directory: string): string[] =>
    readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(directory, entry.name)
      if (entry.isDirectory()) return staff.has(entry.name) ? [] : walk(full)
      return entry.name.endsWith('.ejs') ? [full] : []
    })
  return walk(viewsDirectory)
}

/**
 * Words a template prints itself rather than through `t()`: text between tags and the readable attributes
 * (aria-label, alt, title, placeholder), once the EJS tags and comments are taken out.
 */
export function wordsOutsideMessages(template: string): string[] {
  const markup = template
    .replace(/<%[\s\S]*?%>/g, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/g, ' ')
  const found: string[] = []
  for (const match of markup.matchAll(/>([^<]+)</g)) {
    const words = match[1].replace(/\s+/g, ' ').trim()
    if (/[A-Za-z]{2,}/.test(words)) found.push(words)
  }
  for (const match of markup.matchAll(/\s(?:aria-label|alt|title|placeholder)="([^"]*)"/g)) {
    if (/[A-Za-z]{2,}/.test(match[1])) found.push(match[1])
  }
  return found
}

function strings(tree: Tree): string[] {
  return Object.values(tree).flatMap((value) => (typeof value === 'string' ? [value] : strings(value)))
}

const messages = (language: string, namespace: string): string[] =>
  strings(JSON.parse(readFileSync(path.join(localesDirectory, language, `${namespace}.json`), 'utf8')) as Tree)

/**
 * The fixed words of each English message that Spanish does not share: what is left of the message between its
 * {{values}} and tags, long enough (three words or more) not to match a name or a number by chance.
 */
function englishOnlyPhrases(namespaces: string[]): string[] {
  const phrases = new Set<string>()
  for (const namespace of namespaces) {
    const spanish = new Set(messages('es', namespace))
    for (const english of messages('en', namespace)) {
      if (spanish.has(english)) continue
      for (const part of english.split(/\{\{[^}]*\}\}|<[^>]*>/)) {
        const phrase = part.replace(/\s+/g, ' ').trim()
        if (phrase.split(' ').length >= 3) phrases.add(phrase)
      }
    }
  }
  return [...phrases]
}

/** English words that no Spanish sentence of ours uses, as whole words (case-sensitive where it matters). */
const englishWords =
  /\b(the|your|you|and|with|of|to|is|are|for|results|appointment|appointments|week|minutes|Choose|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|AM|PM|Pacific|Back|Continue|Cancel|Save)\b/g

/**
 * What English a page shown in Spanish still holds: English-only phrases of the message files, and common English
 * words, after taking out what stays as recorded (names of people, tests, places, what a person typed), which the
 * caller lists. The page's title, main content and the SVG text are read; alt texts and labels too.
 */
export function englishLeftovers(
  html: string,
  recorded: string[] = [],
  namespaces = ['common', 'labs', 'appointments'],
) {
  const $ = cheerio.load(html)
  const attributes = $('main [aria-label], main [data-label], main [title]')
    .map((_i, element) => [$(element).attr('aria-label'), $(element).attr('data-label'), $(element).attr('title')])
    .get()
    .filter(Boolean)
  let text = [$('title').text(), $('main').text(), ...attributes].join(' ').replace(/\s+/g, ' ')
  // Longest first, so a name inside a longer recorded text goes with it.
  for (const kept of [...recorded].sort((a, b) => b.length - a.length)) text = text.split(kept).join(' ')
  const phrases = englishOnlyPhrases(namespaces).filter((phrase) => text.includes(phrase))
  const words = [...new Set(text.match(englishWords) ?? [])]
  return { phrases, words }
}

/** A page in Spanish with no English of ours on it; `recorded` is what stays as recorded (names, notes, typed text). */
export function assertAllSpanish(html: string, page: string, recorded: string[] = []): void {
  assert.equal(cheerio.load(html)('html').attr('lang'), 'es', page)
  assert.deepEqual(englishLeftovers(html, recorded), { phrases: [], words: [] }, page)
}
