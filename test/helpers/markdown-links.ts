import fs from 'node:fs'
import path from 'node:path'

/** A relative link in a markdown file that leads nowhere, with why. */
export interface BrokenLink {
  file: string
  line: number
  target: string
  problem: string
}

/** README.md and every markdown file under docs/, as paths relative to the root. */
export function markdownFiles(root: string): string[] {
  const found = fs.existsSync(path.join(root, 'README.md')) ? ['README.md'] : []
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.posix.join(dir, entry.name)
      if (entry.isDirectory()) walk(relative)
      else if (entry.name.endsWith('.md')) found.push(relative)
    }
  }
  if (fs.existsSync(path.join(root, 'docs'))) walk('docs')
  return found
}

/** The lines of a markdown file with fenced code blocks blanked, so a `#` comment or `[x](y)` in code counts for nothing. */
function proseLines(text: string): string[] {
  let fence: string | undefined
  return text.split('\n').map((line) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line)
    if (fence === undefined && opening) {
      fence = opening[1][0]
      return ''
    }
    if (fence !== undefined) {
      if (opening && opening[1][0] === fence) fence = undefined
      return ''
    }
    return line
  })
}

/**
 * The anchors GitHub gives a file's headings: the heading's text as shown (code spans, emphasis and link targets
 * gone), lower case, punctuation removed, each space a hyphen; a repeated heading gets -1, -2 …
 */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)
    if (!heading) continue
    const shown = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '')
    const base = shown
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/**
 * Every relative link in README.md and docs/**, checked: its file or folder exists inside the repository, and an
 * #anchor names a heading of the markdown file it points into. Links with a scheme (https:, mailto:) are not ours.
 */
export function brokenLinks(root: string): BrokenLink[] {
  const broken: BrokenLink[] = []
  const anchorsOf = new Map<string, Set<string>>()
  const anchors = (file: string): Set<string> => {
    let found = anchorsOf.get(file)
    if (!found) {
      found = headingAnchors(fs.readFileSync(path.join(root, file), 'utf8'))
      anchorsOf.set(file, found)
    }
    return found
  }
  for (const file of markdownFiles(root)) {
    const lines = proseLines(fs.readFileSync(path.join(root, file), 'utf8'))
    lines.forEach((line, index) => {
      // Code spans are text, not links.
      const prose = line.replace(/`[^`]*`/g, '')
      for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const target = match[1]
        const report = (problem: string): void => {
          broken.push({ file, line: index + 1, target, problem })
        }
        if (target === '') report('empty link')
        if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue
        const [rawPath, anchor] = target.split('#', 2)
        const resolved =
          rawPath === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(rawPath)))
        if (resolved.startsWith('../') || path.posix.isAbsolute(resolved)) {
          report('leads outside the repository')
          continue
        }
        if (!fs.existsSync(path.join(root, resolved))) {
          report('no such file')
          continue
        }
        if (anchor === undefined) continue
        if (!resolved.endsWith('.md') || fs.statSync(path.join(root, resolved)).isDirectory()) {
          report('an anchor into something that is not a markdown file')
        } else if (!anchors(resolved).has(decodeURIComponent(anchor))) {
          report(`no heading with the anchor #${anchor} in ${resolved}`)
        }
      }
    })
  }
  return broken
}
