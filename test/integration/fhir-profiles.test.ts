import assert from 'node:assert/strict'
import { isValidNpi } from '../../src/fhir/npi'
import { signedOnAgent, useTestApp } from '../helpers/app'
import { assertValidFhir, fhirProblems, officialExample } from '../helpers/fhir-validation'
import { memberIdOf } from '../helpers/records'
import { fhirGet, TokenResponse, tokensFor } from '../helpers/smart'

// FHIR JSON as the API sent it, read by element path in the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { resourceType: string; id: string } & Record<string, any>

describe('the FHIR API’s profiles (US Core 6.1.0, CARIN BB 2.0.0, Da Vinci PDex 2.0.0)', () => {
  const { services, app } = useTestApp({ keepRedis: true })
  let tokens: TokenResponse
  let alex: number

  before(async () => {
    alex = await memberIdOf(services.db, '11000003')
    tokens = await tokensFor(app, await signedOnAgent(app))
  })

  const get = (path: string) => fhirGet(app, path, tokens.access_token)

  async function all(type: string, query = `patient=${alex}`): Promise<Resource[]> {
    const response = await get(`/${type}?${query}&_count=100`).expect(200)
    assertValidFhir(response.body)
    return (response.body.entry as { resource: Resource }[]).map((entry) => entry.resource)
  }

  it('fails a resource that breaks its declared profile, so the checks are real', async () => {
    const patient = (await get(`/Patient/${alex}`).expect(200)).body as Resource
    assert.deepEqual(fhirProblems(patient), [])
    // US Core Patient needs a gender (1..1); R4 alone does not.
    const { gender: _gender, ...withoutGender } = patient
    assert.ok(fhirProblems(withoutGender).some((problem) => problem.includes('us-core-patient')))
    // CARIN BB Coverage needs its payor.
    const [coverage] = await all('Coverage')
    const { payor: _payor, ...withoutPayor } = coverage
    assert.ok(fhirProblems(withoutPayor).some((problem) => problem.includes('C4BB-Coverage')))
    // CARIN BB's professional claim: the received date is a timingDate, the service facility a Reference.
    const [claim] = (await all('ExplanationOfBenefit', `patient=${alex}&use=claim`)).filter(
      (each) => each.type.coding[0].code === 'professional',
    )
    const { timingDate, ...undated } = (claim.supportingInfo as Resource[])[0]
    const withInfo = (info: object) => fhirProblems({ ...claim, supportingInfo: [info] })
    assert.ok(
      withInfo({ ...undated, timingPeriod: { start: timingDate } }).some((problem) =>
        problem.includes('supportingInfo:clmrecvddate.timing[x]'),
      ),
    )
    assert.ok(withInfo(undated).some((problem) => problem.includes('expected 1..1')))
    const facility = {
      sequence: 1,
      category: {
        coding: [
          { system: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType', code: 'servicefacility' },
        ],
      },
    }
    assert.deepEqual(withInfo({ ...facility, valueReference: claim.provider }), [])
    assert.ok(withInfo({ ...facility, valueString: 'Clinic' }).some((problem) => problem.includes('valueString')))
    // Its own official example passes.
    assert.deepEqual(fhirProblems(officialExample('ExplanationOfBenefit-EOBProfessional1.json')), [])
    // A profile the tests do not have is a failure, not a pass.
    assert.ok(
      fhirProblems({ ...patient, meta: { ...patient.meta, profile: ['http://example.org/StructureDefinition/x'] } })
        .length > 0,
    )
  })

  it('gives Patient the roster’s gender, address, phone, email and preferred language', async () => {
    const patient = (await get(`/Patient/${alex}`).expect(200)).body as Resource
    assert.deepEqual(patient.meta.profile, ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|6.1.0'])
    assert.equal(patient.gender, 'other')
    assert.deepEqual(patient.address[0].line, ['455 Linden Avenue'])
    assert.equal(patient.address[0].postalCode, '94577')
    assert.deepEqual(
      patient.telecom.map((telecom: { system: string; value: string }) => `${telecom.system}:${telecom.value}`),
      ['phone:(510) 555-7702', 'email:alex.rivera@example.com'],
    )
    assert.equal(patient.communication[0].language.coding[0].code, 'en')
    const maria = (await services.db('members').where({ mrn: '11000001' }).first('preferred_language')) as {
      preferred_language: string
    }
    assert.equal(maria.preferred_language, 'es')
  })

  it('gives a member’s chosen language as Patient.communication, coded in BCP 47 and preferred', async () => {
    await services.db('members').where({ id: alex }).update({ preferred_language: 'es' })
    try {
      const patient = (await get(`/Patient/${alex}`).expect(200)).body as Resource
      assert.deepEqual(fhirProblems(patient), [])
      assert.deepEqual(patient.communication, [
        {
          language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es', display: 'Spanish' }], text: 'Spanish' },
          preferred: true,
        },
      ])
    } finally {
      await services.db('members').where({ id: alex }).update({ preferred_language: 'en' })
    }
  })

  it('codes every lab result in LOINC, and every numeric value and range in UCUM', async () => {
    const observations = await all('Observation')
    assert.ok(observations.length > 0)
    for (const observation of observations) {
      const codings = observation.code.coding as { system: string; code: string }[]
      assert.ok(
        codings.some((coding) => coding.system === 'http://loinc.org'),
        `${observation.code.text} has a LOINC code`,
      )
      const quantities = [
        observation.valueQuantity,
        ...((observation.referenceRange ?? []) as { low?: unknown; high?: unknown }[]).flatMap((range) => [
          range.low,
          range.high,
        ]),
      ].filter(Boolean) as { system?: string; code?: string; unit?: string }[]
      for (const quantity of quantities) {
        if (!quantity.unit) continue
        assert.equal(quantity.system, 'http://unitsofmeasure.org', `${observation.code.text}: ${quantity.unit}`)
        assert.ok(quantity.code)
      }
    }
  })

  it('gives MedicationRequest its category, reported flag, written date, prescriber and RxNorm code where known', async () => {
    const requests = await all('MedicationRequest')
    for (const request of requests) {
      assert.equal(request.category[0].coding[0].code, 'community')
      assert.equal(request.reportedBoolean, false)
      assert.match(request.authoredOn, /^\d{4}-\d{2}-\d{2}$/)
      assert.match(request.requester.reference, /^Practitioner\/\d+$/)
    }
    const lisinopril = requests.find((request) => request.medicationCodeableConcept.text === 'Lisinopril 10 mg tablet')
    assert.deepEqual(lisinopril?.medicationCodeableConcept.coding[0], {
      system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
      code: '314076',
      display: 'Lisinopril 10 mg tablet',
    })
  })

  it('gives each claim CARIN BB’s professional claim: diagnoses, CPT lines, place of service, payment and network status', async () => {
    const claims = (await all('ExplanationOfBenefit', `patient=${alex}&use=claim`)).filter(
      (claim) => claim.type.coding[0].code === 'professional',
    )
    assert.equal(claims.length, 13)
    const received = new Map(
      (
        (await services.db('claims').whereIn(
          'id',
          claims.map((claim) => Number(claim.id)),
        )) as { id: number; received_on: string | null }[]
      ).map((row) => [String(row.id), row.received_on]),
    )
    for (const claim of claims) {
      // The day the plan received the claim, its only supportingInfo: none of CARIN BB's transportation facts, so
      // the invariant the validator skips (EOB-prof-all-transportation-supportinginfo-linked-to-line) holds.
      assert.deepEqual(claim.supportingInfo, [
        {
          sequence: 1,
          category: {
            coding: [
              {
                system: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType',
                code: 'clmrecvddate',
                display: 'Claim Received Date',
              },
            ],
          },
          timingDate: received.get(claim.id),
        },
      ])
      assert.deepEqual(claim.meta.profile, [
        'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician|2.0.0',
      ])
      assert.match(claim.provider.reference, /^Organization\/clinic-\d+$/)
      assert.equal(claim.diagnosis[0].type[0].coding[0].code, 'principal')
      for (const diagnosis of claim.diagnosis)
        assert.match(diagnosis.diagnosisCodeableConcept.coding[0].code, /^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/)
      for (const item of claim.item) {
        assert.equal(item.productOrService.coding[0].system, 'http://www.ama-assn.org/go/cpt')
        assert.match(item.productOrService.coding[0].code, /^\d{5}$/)
        assert.match(item.locationCodeableConcept.coding[0].code, /^\d{2}$/)
        const status = item.adjudication.find(
          (entry: Resource) => entry.category.coding[0].code === 'benefitpaymentstatus',
        )
        assert.equal(status.reason.coding[0].code, 'innetwork')
      }
      if (claim.outcome === 'complete') {
        assert.equal(claim.payment.type.coding[0].code, 'paid')
        assert.match(claim.payment.date, /^\d{4}-\d{2}-\d{2}$/)
      }
    }
    // An office visit with Dr. Bell: 99213 at the office (POS 11) for high cholesterol and blood pressure.
    const visit = claims.find((claim) => claim.careTeam && claim.item[0].productOrService.coding[0].code === '99213')!
    assert.equal(visit.careTeam[0].role.coding[0].code, 'rendering')
    assert.match(visit.careTeam[0].provider.reference, /^Practitioner\/\d+$/)
    // A lab claim with two tests: a line each, whose amounts add up to the claim's.
    const labs = claims.find((claim) => claim.item.length === 2 && claim.outcome === 'complete' && !claim.careTeam)!
    const submitted = (entries: Resource[]) =>
      entries.find((entry) => entry.category.coding[0].code === 'submitted')!.amount.value as number
    assert.equal(
      Math.round(labs.item.reduce((sum: number, item: Resource) => sum + submitted(item.adjudication) * 100, 0)),
      Math.round(submitted(labs.total) * 100),
    )
  })

  it('gives each pharmacy claim CARIN BB’s pharmacy claim: the NDC, days’ supply, refills, pharmacy and prescriber', async () => {
    const claims = (await all('ExplanationOfBenefit', `patient=${alex}&use=claim`)).filter(
      (claim) => claim.type.coding[0].code === 'pharmacy',
    )
    // Alex's two 30-day fills of atorvastatin 20 mg at Linden Pharmacy, the first and its first refill.
    assert.equal(claims.length, 2)
    const fact = (claim: Resource, category: string) =>
      (claim.supportingInfo as Resource[]).filter((info) => info.category.coding[0].code === category)
    for (const claim of claims) {
      assert.deepEqual(claim.meta.profile, [
        'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy|2.0.0',
      ])
      // Read by id too: the same resource, valid on its own.
      const read = (await get(`/ExplanationOfBenefit/${claim.id}`).expect(200)).body as Resource
      assertValidFhir(read)
      assert.deepEqual(read, claim)
      assert.deepEqual(claim.item[0].productOrService.coding[0], {
        system: 'http://hl7.org/fhir/sid/ndc',
        code: '67877-0512-90',
        display: 'Atorvastatin calcium 20 mg film-coated tablet, 90 in 1 bottle',
      })
      assert.deepEqual(claim.item[0].quantity, { value: 30, unit: 'EA' })
      assert.match(claim.item[0].servicedDate, /^\d{4}-\d{2}-\d{2}$/)
      assert.deepEqual(fact(claim, 'dayssupply')[0].valueQuantity, { value: 30, unit: 'days' })
      assert.deepEqual(fact(claim, 'refillsauthorized')[0].valueQuantity, { value: 5 })
      assert.equal(fact(claim, 'dawcode')[0].code.coding[0].code, '0')
      assert.equal(fact(claim, 'brandgenericindicator')[0].code.coding[0].code, '2')
      assert.equal(fact(claim, 'compoundcode')[0].code.coding[0].code, '1')
      assert.equal(fact(claim, 'clmrecvddate').length, 1)
      const sequences = (claim.supportingInfo as Resource[]).map((info) => info.sequence as number)
      assert.equal(new Set(sequences).size, sequences.length)
      assert.equal(claim.adjudication[0].category.coding[0].code, 'benefitpaymentstatus')
      assert.equal(claim.adjudication[0].reason.coding[0].code, 'innetwork')
      assert.equal(claim.careTeam[0].role.coding[0].code, 'prescribing')
      assert.match(claim.careTeam[0].provider.reference, /^Practitioner\/\d+$/)
      assert.match(claim.provider.reference, /^Organization\/pharmacy-\d+$/)
      // The pharmacy: an Organization with an NPI that passes the check digit, labelled as demo data.
      const pharmacy = (await get(`/${claim.provider.reference}`).expect(200)).body as Resource
      assertValidFhir(pharmacy)
      assert.equal(pharmacy.name, 'Linden Pharmacy')
      assert.ok(isValidNpi(pharmacy.identifier[0].value))
      assert.equal(pharmacy.meta.security[0].code, 'HTEST')
    }
    assert.deepEqual(claims.map((claim) => fact(claim, 'refillnum')[0].valueQuantity.value).sort(), [0, 1])
    // The search without `use` lists them too, among the claims before the prior authorizations.
    const everything = await all('ExplanationOfBenefit')
    for (const claim of claims) assert.ok(everything.some((found) => found.id === claim.id))
  })

  it('gives a hospital stay CARIN BB’s inpatient institutional claim: the stay in NUBC codes, the DRG, revenue lines', async () => {
    const pat = await memberIdOf(services.db, '11000006')
    const patTokens = await tokensFor(app, await signedOnAgent(app, 'pat.rivera'))
    const search = await fhirGet(
      app,
      `/ExplanationOfBenefit?patient=${pat}&use=claim&_count=100`,
      patTokens.access_token,
    ).expect(200)
    assertValidFhir(search.body)
    const stays = (search.body.entry as { resource: Resource }[])
      .map((entry) => entry.resource)
      .filter((claim) => claim.type.coding[0].code === 'institutional')
    assert.equal(stays.length, 1)
    const [stay] = stays
    // Read by id too: the same resource, valid on its own.
    const read = (await fhirGet(app, `/ExplanationOfBenefit/${stay.id}`, patTokens.access_token).expect(200))
      .body as Resource
    assertValidFhir(read)
    assert.deepEqual(read, stay)
    assert.deepEqual(stay.meta.profile, [
      'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional|2.0.0',
    ])
    assert.equal(stay.subType.coding[0].code, 'inpatient')
    assert.match(stay.provider.reference, /^Organization\/clinic-\d+$/)
    const info = (category: string) =>
      (stay.supportingInfo as Resource[]).find((each) => each.category.coding[0].code === category)!
    const row = await services
      .db('claims')
      .where({ id: Number(stay.id) })
      .first('service_date', 'received_on')
    assert.equal(info('clmrecvddate').timingDate, row.received_on)
    // Pneumonia, four nights: admitted the day of service, discharged four days later.
    const admitted = new Date(`${row.service_date}T12:00:00Z`)
    admitted.setUTCDate(admitted.getUTCDate() + 4)
    assert.deepEqual(info('admissionperiod').timingPeriod, {
      start: row.service_date,
      end: admitted.toISOString().slice(0, 10),
    })
    assert.deepEqual(stay.billablePeriod, info('admissionperiod').timingPeriod)
    const code = (category: string) => info(category).code.coding[0] as { system: string; code: string }
    assert.deepEqual(code('typeofbill'), { system: 'https://www.nubc.org/CodeSystem/TypeOfBill', code: '0111' })
    assert.deepEqual(code('pointoforigin'), { system: 'https://www.nubc.org/CodeSystem/PointOfOrigin', code: '1' })
    assert.deepEqual(code('admtype'), {
      system: 'https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit',
      code: '1',
    })
    assert.deepEqual(code('discharge-status'), {
      system: 'https://www.nubc.org/CodeSystem/PatDischargeStatus',
      code: '01',
    })
    assert.equal(code('drg').code, '195')
    const sequences = (stay.supportingInfo as Resource[]).map((each) => each.sequence)
    assert.equal(new Set(sequences).size, sequences.length)
    assert.equal(stay.diagnosis[0].diagnosisCodeableConcept.coding[0].code, 'J18.9')
    assert.equal(stay.diagnosis[0].type[0].coding[0].code, 'principal')
    assert.deepEqual(
      stay.item.map((item: Resource) => item.revenue.coding[0].code),
      ['0120', '0250', '0300', '0320'],
    )
    // The amounts on the lines and not on the claim, as EOB-institutional-item-or-header-adjudication asks (an
    // invariant the validator skips: it calls memberOf); the claim carries the payment and network statuses.
    const discriminator = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator'
    for (const item of stay.item as Resource[])
      assert.ok(item.adjudication.some((entry: Resource) => entry.category.coding[0].code === 'submitted'))
    assert.ok((stay.adjudication as Resource[]).every((entry) => entry.category.coding[0].system === discriminator))
    assert.deepEqual(
      (stay.adjudication as Resource[]).map((entry) => entry.category.coding[0].code),
      ['benefitpaymentstatus', 'billingnetworkstatus'],
    )
    // CARIN BB's own inpatient example passes the validator too.
    assert.deepEqual(fhirProblems(officialExample('ExplanationOfBenefit-EOBInpatient1.json')), [])
  })

  it('finds a pharmacy as an Organization by id, name and NPI', async () => {
    const row = await services.db('pharmacies').where({ code: 'SL-0401' }).first('id', 'npi')
    const byId = await all('Organization', `_id=pharmacy-${row.id}`)
    assert.deepEqual(
      byId.map((organization) => organization.id),
      [`pharmacy-${row.id}`],
    )
    const byName = await all('Organization', 'name=Linden')
    assert.ok(byName.some((organization) => organization.id === `pharmacy-${row.id}`))
    const byNpi = await all(
      'Organization',
      `identifier=${encodeURIComponent(`http://hl7.org/fhir/sid/us-npi|${row.npi}`)}`,
    )
    assert.deepEqual(
      byNpi.map((organization) => organization.id),
      [`pharmacy-${row.id}`],
    )
    await get('/Organization/pharmacy-99999').expect(404)
    await get(`/Practitioner/pharmacy-${row.id}`).expect(404)
  })

  it('codes every demo medicine in RxNorm whose code is confirmed', async () => {
    const requests = await all('MedicationRequest')
    const codes = Object.fromEntries(
      requests.map((request) => [
        request.medicationCodeableConcept.text,
        request.medicationCodeableConcept.coding?.[0]?.code,
      ]),
    )
    assert.equal(codes['Atorvastatin 40 mg tablet'], '617311')
    assert.equal(codes['Oxycodone and acetaminophen 5 mg/325 mg tablet'], '1049221')
    assert.equal(codes['Amoxicillin 500 mg capsule'], '308191')
  })

  it('resolves every Practitioner and Organization the records name, each with a valid NPI marked as demo data', async () => {
    const references = new Set<string>()
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(collect)
      if (value && typeof value === 'object') {
        const reference = (value as { reference?: unknown }).reference
        if (typeof reference === 'string' && /^(Practitioner|Organization)\//.test(reference)) references.add(reference)
        Object.values(value).forEach(collect)
      }
    }
    collect((await get(`/Patient/${alex}`).expect(200)).body)
    for (const type of ['MedicationRequest', 'Coverage', 'ExplanationOfBenefit']) collect(await all(type))
    assert.ok(references.has('Organization/payer'))
    assert.ok([...references].some((reference) => reference.startsWith('Practitioner/')))
    for (const reference of references) {
      const resource = (await get(`/${reference}`).expect(200)).body as Resource
      assertValidFhir(resource)
      for (const identifier of resource.identifier as { system: string; value: string }[]) {
        if (identifier.system !== 'http://hl7.org/fhir/sid/us-npi') continue
        assert.ok(isValidNpi(identifier.value), `${reference}'s NPI ${identifier.value} passes the check digit`)
        assert.equal(resource.meta.security[0].code, 'HTEST', `${reference}'s demo NPI is marked as test data`)
      }
    }
    const clinic = await services.db('clinics').first('id')
    assertValidFhir((await get(`/Organization/clinic-${clinic.id}`).expect(200)).body)
    await get('/Practitioner/999999').expect(404)
    await get('/Organization/clinic-x').expect(404)
    await get('/Practitioner?active=true').expect(400)
  })

  it('lists in the CapabilityStatement the profiles each resource type declares', async () => {
    const capability = (await fhirGet(app, '/metadata').expect(200)).body
    const byType = new Map(
      (capability.rest[0].resource as { type: string; supportedProfile?: string[] }[]).map((resource) => [
        resource.type,
        resource.supportedProfile ?? [],
      ]),
    )
    assert.deepEqual(byType.get('ExplanationOfBenefit'), [
      'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician|2.0.0',
      'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy|2.0.0',
      'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional|2.0.0',
      'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-priorauthorization|2.0.0',
    ])
    assert.equal(byType.get('Practitioner')?.length, 2)
    for (const type of ['Patient', 'Observation', 'Immunization', 'MedicationRequest', 'Coverage'])
      assert.equal(byType.get(type)?.length, 1, type)
  })
})
