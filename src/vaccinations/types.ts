// Immunizations as the repository returns them. Other features name these shapes from here: a feature never
// imports another's repository (eslint.config.mjs).

export interface ImmunizationRecord {
  id: number
  vaccineName: string
  cvxCode: string
  dose: string
  administeredOn: string
  givenAt: string
}
