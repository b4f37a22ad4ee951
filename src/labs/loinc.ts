/**
 * LOINC codes of every test in the plan's lab catalogue, for the FHIR API (US Core asks a laboratory
 * Observation to carry its LOINC code, so an app can recognise a result from any plan). Reports (imaging,
 * pathology, genetics) carry the LOINC code of the report.
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
  ALT: { code: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma' },
  EGFR: {
    code: '98979-8',
    display:
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)',
  },
  MG: { code: '19123-9', display: 'Magnesium [Mass/volume] in Serum or Plasma' },
  TSH: { code: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma' },
  UPROT: { code: '20454-5', display: 'Protein [Presence] in Urine by Test strip' },
  CTNG: {
    code: '36902-5',
    display: 'Chlamydia trachomatis+Neisseria gonorrhoeae DNA [Presence] in Specimen by NAA with probe detection',
  },
  HIV: { code: '56888-1', display: 'HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay' },
  MONO: { code: '5213-4', display: 'Heterophile Ab [Presence] in Serum by Latex agglutination' },
  STREP: { code: '78012-2', display: 'Streptococcus pyogenes Ag [Presence] in Throat by Rapid immunoassay' },
  THROATCX: { code: '626-2', display: 'Bacteria identified in Throat by Culture' },
  CXR: { code: '36643-5', display: 'XR Chest 2 Views' },
  DEXA: { code: '38269-7', display: 'DXA Bone density Study report' },
  SKINPATH: { code: '11526-1', display: 'Pathology study' },
  PGX: { code: '51969-4', display: 'Genetic analysis report' },
}
