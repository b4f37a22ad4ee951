import assert from 'node:assert/strict'
import { safeReturnPath } from './return-path'

describe('the return path after sign-on', () => {
  it('follows paths on this site', () => {
    assert.equal(safeReturnPath('/labs?result=4'), '/labs?result=4')
  })

  it('refuses addresses that leave the site', () => {
    for (const candidate of [
      'https://evil.example',
      '//evil.example/home',
      '/\\evil.example',
      'home',
      undefined,
      ['/home'],
    ]) {
      assert.equal(safeReturnPath(candidate), undefined, String(candidate))
    }
  })
})
