import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project's folder: the nearest one above this file holding package.json. Found rather than
 * counted in `../`, because this file runs from src/ (tsx), dist/ (npm start) and .build/src/ (the
 * compiled test suite), each at a different depth.
 */
export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)))

/** A path inside the project, from its folder: `projectPath('prisma', 'schema.prisma')`. */
export function projectPath (...segments: string[]): string {
  return join(projectRoot, ...segments)
}

function findProjectRoot (from: string): string {
  for (let folder = from; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder
    if (dirname(folder) === folder) throw new Error(`No package.json in ${from} or any folder above it.`)
  }
}
