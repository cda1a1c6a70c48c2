import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { browserSkipReason, findChromium, type Machine } from './chromium.js'

/** A machine whose only executables are `installed`. */
function machine (platform: NodeJS.Platform, installed: string[], env: NodeJS.ProcessEnv = {}): Machine {
  return { platform, env, home: platform === 'darwin' ? '/Users/reporter' : '/home/reporter', isExecutable: (path) => installed.includes(path) }
}

describe('findChromium', () => {
  it('takes CHROMIUM_PATH first', () => {
    assert.equal(findChromium(machine('linux', ['/usr/bin/chromium', '/opt/chromium/chrome'], { CHROMIUM_PATH: '/opt/chromium/chrome' })),
      '/opt/chromium/chrome')
  })

  it('refuses a CHROMIUM_PATH that is not an executable, naming it, rather than look elsewhere', () => {
    assert.throws(() => findChromium(machine('linux', ['/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/nothing' })),
      /CHROMIUM_PATH is "\/opt\/nothing", which is not an executable file/)
  })

  it('finds the browsers of Debian, Ubuntu\'s snap, Fedora and Google Chrome on Linux', () => {
    for (const path of ['/usr/bin/chromium', '/snap/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome']) {
      assert.equal(findChromium(machine('linux', [path])), path)
    }
  })

  it('finds Chromium or Chrome in the Applications folders of macOS', () => {
    const chromium = '/Applications/Chromium.app/Contents/MacOS/Chromium'
    const ownChrome = '/Users/reporter/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'
    assert.equal(findChromium(machine('darwin', [chromium, ownChrome])), chromium)
    assert.equal(findChromium(machine('darwin', [ownChrome])), ownChrome)
  })

  it('finds Chrome or Edge where their installers put them on Windows', () => {
    const env = { LOCALAPPDATA: 'C:\\Users\\reporter\\AppData\\Local', PROGRAMFILES: 'C:\\Program Files' }
    const chrome = 'C:\\Users\\reporter\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe'
    const edge = 'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe'
    assert.equal(findChromium(machine('win32', [chrome, edge], env)), chrome)
    assert.equal(findChromium(machine('win32', [edge], env)), edge)
  })

  it('finds one on PATH, with PATHEXT on Windows', () => {
    assert.equal(findChromium(machine('linux', ['/home/reporter/bin/google-chrome'], { PATH: '/usr/local/bin:/home/reporter/bin' })),
      '/home/reporter/bin/google-chrome')
    assert.equal(findChromium(machine('win32', ['D:\\tools\\chromium.EXE'], { PATH: 'C:\\Windows;D:\\tools', PATHEXT: '.COM;.EXE' })),
      'D:\\tools\\chromium.EXE')
  })

  it('finds none on a machine without one', () => {
    assert.equal(findChromium(machine('linux', ['/usr/bin/firefox'], { PATH: '/usr/bin' })), undefined)
  })
})

describe('browserSkipReason', () => {
  it('skips without a browser, naming the commands that install one', () => {
    const reason = browserSkipReason(undefined, {})
    assert.ok(reason !== false)
    assert.match(reason, /apt-get install chromium/)
    assert.match(reason, /brew install --cask chromium/)
  })

  it('does not skip with a browser, nor without one under REQUIRE_BROWSER=1', () => {
    assert.equal(browserSkipReason('/usr/bin/chromium', {}), false)
    assert.equal(browserSkipReason(undefined, { REQUIRE_BROWSER: '1' }), false)
  })
})
