import { accessSync, constants } from 'node:fs'
import { homedir } from 'node:os'
import { posix, win32 } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

// The browser tests drive a Chromium-family browser installed on the machine: playwright-core
// brings none, and `npx playwright install` needs a download host these machines do not reach.

const INSTALL_HINT = 'install one (Debian/Ubuntu: `apt-get install chromium`, Fedora: `dnf install chromium`, ' +
  'macOS: `brew install --cask chromium`, Windows: `winget install Google.Chrome`) or set CHROMIUM_PATH to its executable'

/** What finding a browser looks at: this machine, or another one in the finder's test. */
export interface Machine {
  env: NodeJS.ProcessEnv
  platform: NodeJS.Platform
  home: string
  isExecutable(path: string): boolean
}

const thisMachine: Machine = {
  env: process.env,
  platform: process.platform,
  home: homedir(),
  isExecutable (path) {
    try {
      accessSync(path, constants.X_OK)
      return true
    } catch {
      return false
    }
  }
}

const COMMAND_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome', 'msedge']

/** Where the usual packages put the browser, most specific first. */
function installLocations ({ env, platform, home }: Machine): string[] {
  switch (platform) {
    case 'linux': return [
      '/usr/bin/chromium', // Debian
      '/usr/bin/chromium-browser', // Ubuntu before the snap, Fedora
      '/snap/bin/chromium', // Ubuntu's snap
      '/usr/bin/google-chrome-stable',
      '/usr/bin/google-chrome',
      '/opt/google/chrome/chrome'
    ]
    case 'darwin': return ['Chromium', 'Google Chrome'].flatMap((app) => [
      `/Applications/${app}.app/Contents/MacOS/${app}`,
      posix.join(home, 'Applications', `${app}.app`, 'Contents', 'MacOS', app)
    ])
    case 'win32': return [env.LOCALAPPDATA, env.PROGRAMFILES, env['PROGRAMFILES(X86)']]
      .filter((folder): folder is string => folder !== undefined)
      .flatMap((folder) => [
        win32.join(folder, 'Chromium', 'Application', 'chrome.exe'),
        win32.join(folder, 'Google', 'Chrome', 'Application', 'chrome.exe'),
        win32.join(folder, 'Microsoft', 'Edge', 'Application', 'msedge.exe')
      ])
    default: return []
  }
}

function onPath ({ env, platform, isExecutable }: Machine): string | undefined {
  const { delimiter, join } = platform === 'win32' ? win32 : posix
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : ['']
  const folders = (env.PATH ?? '').split(delimiter).filter((folder) => folder !== '')
  return folders.flatMap((folder) => COMMAND_NAMES.flatMap((name) => extensions.map((extension) => join(folder, name + extension))))
    .find(isExecutable)
}

/** CHROMIUM_PATH, else the usual install locations of Chromium and Chrome, else one on PATH. */
export function findChromium (machine = thisMachine): string | undefined {
  const configured = machine.env.CHROMIUM_PATH
  if (configured !== undefined && configured !== '') {
    // Named on purpose: a wrong path is a mistake to report, not a reason to look elsewhere.
    if (!machine.isExecutable(configured)) throw new Error(`CHROMIUM_PATH is "${configured}", which is not an executable file.`)
    return configured
  }
  return installLocations(machine).find(machine.isExecutable) ?? onPath(machine)
}

const NO_BROWSER = `No Chromium or Chrome found (CHROMIUM_PATH, the usual install locations, PATH): ${INSTALL_HINT}.`

/** Why browser tests are skipped: there is no browser, and REQUIRE_BROWSER=1 does not make that a failure. */
export function browserSkipReason (executablePath: string | undefined, env: NodeJS.ProcessEnv): string | false {
  return executablePath === undefined && env.REQUIRE_BROWSER !== '1' ? NO_BROWSER : false
}

const executablePath = findChromium()

/**
 * Options for a describe that drives a browser: skipped, saying how to install one, where there
 * is none; REQUIRE_BROWSER=1 (set by .ci/run) makes a missing browser a failure instead.
 */
export const needsChromium = { skip: browserSkipReason(executablePath, process.env) }

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  // No calls home: the page under test must be the only thing that talks to the network.
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
]

export async function launchChromium (): Promise<Browser> {
  if (executablePath === undefined) throw new Error(`${NO_BROWSER} REQUIRE_BROWSER=1 makes that a failure.`)
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 })
}
