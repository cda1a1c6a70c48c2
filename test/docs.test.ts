// The README, ARCHITECTURE.md and docs/ state facts the code can contradict: the configuration
// variables and their defaults (src/config.ts), the problem types the service sends, the npm
// scripts, the files they name and link to. These tests fail when one of them changes without
// the docs, so the docs cannot go stale silently.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig } from '../src/config.js'
import { PROBLEM_TYPES } from '../src/problems.js'
import { projectRoot } from '../src/project-root.js'

const DOCS = [
  'README.md',
  'ARCHITECTURE.md',
  ...readdirSync(join(projectRoot, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)
]

function read (path: string): string {
  return readFileSync(join(projectRoot, path), 'utf8')
}

/** The text without fenced code blocks, whose `#` lines are shell comments, not headings. */
function prose (markdown: string): string {
  let fenced = false
  return markdown.split('\n').filter((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced
      return false
    }
    return !fenced
  }).join('\n')
}

/** The lines under the heading whose text is `title`, up to the next heading of its level or above. */
function section (markdown: string, title: string): string {
  const lines = prose(markdown).split('\n')
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === title)
  assert.notEqual(start, -1, `no heading "${title}"`)
  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 1
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((line) => {
    const hashes = /^(#+) /.exec(line)?.[1]
    return hashes !== undefined && hashes.length <= level
  })
  return (end === -1 ? rest : rest.slice(0, end)).join('\n')
}

/** The body rows of the Markdown tables in `text`, as trimmed cells (`\|` stays inside its cell). */
function tableRows (text: string): string[][] {
  return text.split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) => line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()))
    .filter((cells) => !['variable', 'type'].includes(cells[0] ?? ''))
}

function codeSpans (text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? '')
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug (heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

function anchors (markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  for (const line of prose(markdown).split('\n')) {
    const heading = /^#{1,6} (.+)$/.exec(line)?.[1]
    if (heading === undefined) continue
    const base = slug(heading)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    result.add(count === 0 ? base : `${base}-${count}`)
  }
  return result
}

function sourceFiles (folder: string): string[] {
  return readdirSync(join(projectRoot, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(projectRoot, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith(join('src', 'generated')))
}

describe('the configuration table (docs/operations.md)', () => {
  const source = read('src/config.ts')
  // Variables with a default are in the configuration of an empty environment; optional ones
  // (DATABASE_URL) only in the schema.
  const defaultConfig = loadConfig({})
  const variables = [...new Set([
    ...Object.keys(defaultConfig),
    ...[...source.matchAll(/^\s+([A-Z][A-Z0-9_]*): Type\./gm)].map((match) => match[1] ?? '')
  ])].sort()
  const documented = documentedDefaults(section(read('docs/operations.md'), 'Configuration'))

  /** Variable -> default as the table writes it, from rows naming one or several variables. */
  function documentedDefaults (text: string): Map<string, string> {
    const defaults = new Map<string, string>()
    for (const [names = '', values = ''] of tableRows(text)) {
      const variableNames = codeSpans(names)
      const variableDefaults = values.split(/,\s*/)
      variableNames.forEach((name, index) => {
        defaults.set(name, (variableNames.length === 1 ? values : variableDefaults[index] ?? '').replaceAll('`', '').trim())
      })
    }
    return defaults
  }

  function expectedDefault (name: string): string {
    const value = (defaultConfig as Record<string, unknown>)[name]
    if (value === undefined) return 'unset'
    if (value === '') return 'empty'
    return String(value)
  }

  it('reads the variables of src/config.ts', () => {
    assert.ok(variables.length >= 15, `only ${variables.length} variables found in src/config.ts: ${variables.join(', ')}`)
    assert.ok(variables.includes('DATABASE_URL'))
  })

  it('lists every variable of src/config.ts with its default', () => {
    const missing = variables.filter((name) => !documented.has(name))
    assert.deepEqual(missing, [], `add ${missing.join(', ')} to the table under "Configuration" in docs/operations.md`)
    for (const name of variables) {
      assert.equal(documented.get(name), expectedDefault(name), `the default of ${name} in docs/operations.md`)
    }
  })

  it('lists no variable that src/config.ts does not read', () => {
    assert.deepEqual([...documented.keys()].filter((name) => !variables.includes(name)), [])
  })

  it('gives the README\'s variables their real defaults', () => {
    const readme = documentedDefaults(section(read('README.md'), 'Configuration at a glance'))
    assert.ok(readme.size > 0)
    for (const [name, value] of readme) {
      assert.ok(variables.includes(name), `README.md names ${name}, which src/config.ts does not read`)
      assert.equal(value, expectedDefault(name), `the default of ${name} in README.md`)
    }
  })
})

describe('the problem types (docs/http-api.md)', () => {
  const catalogue: string[] = [...new Set(Object.values(PROBLEM_TYPES).map(({ type }) => type))].sort()
  const sources = sourceFiles('src').map((path) => read(path)).join('\n')
  // Types written out in src/ (`/problems/not-found`), and the fallbacks inside a template
  // (`/problems/${code ?? 'bad-request'}`): each must be one of the catalogue, whose types the table lists.
  const literal = [...sources.matchAll(/\/problems\/([A-Za-z][A-Za-z0-9_-]*)/g)].map((match) => match[1] ?? '')
  const templated = [...sources.matchAll(/\/problems\/\$\{([^}]*)\}/g)]
    .flatMap((match) => [...(match[1] ?? '').matchAll(/'([A-Za-z][A-Za-z0-9_-]*)'/g)].map((inner) => inner[1] ?? ''))
  const written = [...new Set([...literal, ...templated].map((name) => `/problems/${name}`))].sort()

  const text = section(read('docs/http-api.md'), 'Problem types')
  const rows = tableRows(text)
  const documented = new Map(rows.map(([type = '', status = '']) => [type.replaceAll('`', ''), status]))

  it('finds the problem types of the catalogue and those written in src/', () => {
    assert.ok(catalogue.length >= 10, `only ${catalogue.length} problem types in PROBLEM_TYPES: ${catalogue.join(', ')}`)
    assert.ok(written.length >= 10, `only ${written.length} problem types found in src/: ${written.join(', ')}`)
  })

  it('sends no problem type outside the catalogue', () => {
    assert.deepEqual(written.filter((type) => !catalogue.includes(type)), [])
  })

  it('lists exactly the problem types of the catalogue', () => {
    assert.deepEqual([...documented.keys()].sort(), catalogue)
  })

  it('gives each problem type the status the code gives it', () => {
    for (const { type, status } of Object.values(PROBLEM_TYPES)) {
      assert.ok((documented.get(type) ?? '').includes(String(status)), `${type} is sent with ${status}; docs/http-api.md says ${documented.get(type)}`)
    }
  })
})

describe('the npm scripts the docs name', () => {
  const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts)

  for (const path of DOCS) {
    it(`${path} names only scripts of package.json`, () => {
      const named = [...read(path).matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((match) => match[1] ?? '')
      const unknown = [...new Set(named)].filter((name) => !scripts.includes(name))
      assert.deepEqual(unknown, [])
    })
  }
})

describe('links and paths in the docs', () => {
  for (const path of DOCS) {
    it(`${path}: every relative link reaches a file and heading`, () => {
      const text = prose(read(path))
      const broken: string[] = []
      for (const match of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? ''
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue
        const [file = '', anchor] = target.split('#')
        const resolved = file === '' ? join(projectRoot, path) : resolve(projectRoot, dirname(path), file)
        if (!existsSync(resolved)) {
          broken.push(`${target}: no file ${relative(projectRoot, resolved)}`)
        } else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${target}: no heading #${anchor} in ${relative(projectRoot, resolved)}`)
        }
      }
      assert.deepEqual(broken, [])
    })

    it(`${path}: every file path it quotes exists`, () => {
      // Files only (folders may be planned, such as src/services/ while the code moves there).
      const paths = codeSpans(prose(read(path)))
        .filter((span) => /^(src|test|bench|scripts|prisma|openapi|docs)\/[\w./-]*\.[a-z]+$/.test(span) || span === '.ci/run')
      const missing = [...new Set(paths)].filter((file) => !existsSync(join(projectRoot, file)))
      assert.deepEqual(missing, [])
    })
  }

  it('keeps the README short enough to read in ten minutes', () => {
    const lines = read('README.md').split('\n').length
    assert.ok(lines <= 200, `README.md has ${lines} lines; move detail to docs/ and link it`)
  })
})
