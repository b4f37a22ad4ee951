import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadAppRegistrations } from './clients'

describe('registering an app (SMART_CLIENTS_FILE)', () => {
  const fileWith = (redirectUris: string[]) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'smart-clients-')), 'clients.json')
    writeFileSync(file, JSON.stringify([{ client_id: 'an-app', client_name: 'An app', redirect_uris: redirectUris }]))
    return file
  }

  it('takes redirect URIs written in full', () => {
    const uris = ['org.example.app:/oauth/callback', 'https://app.example/callback', 'http://127.0.0.1/callback']
    assert.deepEqual(loadAppRegistrations(fileWith(uris))[0].redirect_uris, uris)
  })

  it('refuses one an app could never send exactly, so the exact comparison would always fail', () => {
    for (const uri of ['https://app.example', 'ORG.example.app:/oauth/callback', 'org.example.app:/oauth/callback ']) {
      assert.throws(() => loadAppRegistrations(fileWith([uri])), /write the redirect URI in full/, uri)
    }
  })
})
