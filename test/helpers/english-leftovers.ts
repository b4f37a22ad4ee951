import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
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
