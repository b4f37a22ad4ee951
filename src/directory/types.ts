// The provider directory as the repository returns it, and what other features may ask of it: a feature never
// imports another's repository (eslint.config.mjs); services.ts passes the repository in as a `Directory`.

export interface ProviderRecord {
  id: number
  name: string
  specialty: string
  npi: string | null
  npiIsDemo: boolean
  clinicId: number
  updatedAt: Date
}

export interface ClinicRecord {
  id: number
  name: string
  addressLine1: string
  city: string
  state: string
  zip: string
  phone: string
  npi: string | null
  npiIsDemo: boolean
  updatedAt: Date
}

/** The directory's look-ups, as the API reads them. */
export interface Directory {
  findProvider(id: number): Promise<ProviderRecord | undefined>
  findClinic(id: number): Promise<ClinicRecord | undefined>
  searchProviders(filter: { nameContains?: string; npi?: string }): Promise<ProviderRecord[]>
  searchClinics(filter: { nameContains?: string; addressContains?: string; npi?: string }): Promise<ClinicRecord[]>
}
