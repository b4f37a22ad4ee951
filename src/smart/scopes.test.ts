import assert from 'node:assert/strict'
import { grantedScope } from './scopes'

describe('the scope a token response reports', () => {
  it('lists the sign-on scopes the grant holds, then the access token’s resource scopes, each once', () => {
    assert.equal(
      grantedScope(
        'openid fhirUser offline_access launch/patient patient/Patient.rs',
        'patient/Patient.rs patient/Immunization.rs',
      ),
      'openid fhirUser offline_access launch/patient patient/Patient.rs patient/Immunization.rs',
    )
  })

  it('never adds a sign-on scope the member did not allow, nor an unknown one the grant happens to hold', () => {
    assert.equal(grantedScope('openid profile patient/Patient.rs', 'patient/Patient.rs'), 'openid patient/Patient.rs')
    assert.equal(grantedScope('', 'patient/Patient.rs offline_access'), 'patient/Patient.rs')
  })
})
