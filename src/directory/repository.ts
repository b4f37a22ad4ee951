import { whereNameOrAddressHolds, type Db } from '../platform/db'
import type { ClinicRecord, Directory, ProviderRecord } from './types'

/** The plan's provider directory: its doctors and clinics, as the API's Practitioner and Organization read them. */
export class DirectoryRepository implements Directory {
  constructor(private readonly db: Db) {}

  async findProvider(id: number): Promise<ProviderRecord | undefined> {
    const row = await this.db('providers')
      .where({ id })
      .first('id', 'name', 'specialty', 'npi', 'npi_is_demo', 'clinic_id', 'updated_at')
    return row
      ? {
          id: Number(row.id),
          name: String(row.name),
          specialty: String(row.specialty),
          npi: row.npi ?? null,
          npiIsDemo: Boolean(row.npi_is_demo),
          clinicId: Number(row.clinic_id),
          updatedAt: new Date(row.updated_at as Date),
        }
      : undefined
  }

  async findClinic(id: number): Promise<ClinicRecord | undefined> {
    const row = await this.db('clinics')
      .where({ id })
      .first('id', 'name', 'address_line1', 'city', 'state', 'zip', 'phone', 'npi', 'npi_is_demo', 'updated_at')
    return row
      ? {
          id: Number(row.id),
          name: String(row.name),
          addressLine1: String(row.address_line1),
          city: String(row.city),
          state: String(row.state),
          zip: String(row.zip),
          phone: String(row.phone),
          npi: row.npi ?? null,
          npiIsDemo: Boolean(row.npi_is_demo),
          updatedAt: new Date(row.updated_at as Date),
        }
      : undefined
  }

  /**
   * Doctors whose name holds the text or with this NPI (the API's Practitioner search narrows further), at most 100.
   */
  async searchProviders(filter: { nameContains?: string; npi?: string }): Promise<ProviderRecord[]> {
    const rows = await this.db('providers')
      .modify((query) => {
        whereNameOrAddressHolds(query, { nameContains: filter.nameContains })
        if (filter.npi) query.where('npi', filter.npi)
      })
      .orderBy('id')
      .limit(100)
      .select('id')
    const found = await Promise.all(rows.map((row: { id: number }) => this.findProvider(Number(row.id))))
    return found.filter((provider): provider is ProviderRecord => provider !== undefined)
  }

  /** Clinics whose name or address holds the text, or with this NPI (the API's Organization search narrows further), at most 100. */
  async searchClinics(filter: {
    nameContains?: string
    addressContains?: string
    npi?: string
  }): Promise<ClinicRecord[]> {
    const rows = await this.db('clinics')
      .modify((query) => {
        whereNameOrAddressHolds(query, filter)
        if (filter.npi) query.where('npi', filter.npi)
      })
      .orderBy('id')
      .limit(100)
      .select('id')
    const found = await Promise.all(rows.map((row: { id: number }) => this.findClinic(Number(row.id))))
    return found.filter((clinic): clinic is ClinicRecord => clinic !== undefined)
  }
}
