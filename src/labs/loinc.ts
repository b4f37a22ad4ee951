/**
 * LOINC codes of the plan's lab tests, for the FHIR API (US Core asks a laboratory Observation to carry its
 * LOINC code, so an app can recognise a result from any plan). Only tests whose LOINC term is certain are
 * listed; the rest keep the plan's own code alone rather than a guessed one.
 */
export const loincCodes: Readonly<Record<string, { code: string; display: string }>> = {
  LDL: { code: '13457-7', display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation' },
  HDL: { code: '2085-9', display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma' },
  CHOL: { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma' },
  TRIG: { code: '2571-8', display: 'Triglyceride [Mass/volume] in Serum or Plasma' },
  A1C: { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' },
  GLU: { code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' },
  K: { code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' },
  HGB: { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
  VITD: { code: '62292-8', display: '25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma' },
  LEAD: { code: '5671-3', display: 'Lead [Mass/volume] in Blood' },
}
