/**
 * The UCUM code of each unit the plan's lab catalogue reports (US Core: a Quantity's unit SHALL carry its
 * UCUM code, system http://unitsofmeasure.org). The printed unit stays as `unit`; a unit not listed here
 * is sent as text alone rather than with a guessed code.
 */
export const ucumCodes: Readonly<Record<string, string>> = {
  'mg/dL': 'mg/dL',
  '%': '%',
  'U/L': 'U/L',
  'mL/min/1.73m²': 'mL/min/{1.73_m2}',
  'mmol/L': 'mmol/L',
  'g/dL': 'g/dL',
  'µg/dL': 'ug/dL',
  'ng/mL': 'ng/mL',
  'mIU/L': 'm[IU]/L',
}

export const ucumSystem = 'http://unitsofmeasure.org'
