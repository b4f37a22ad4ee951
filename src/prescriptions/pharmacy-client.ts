/** What the pharmacy system says about an order. */
export interface PharmacyOrder {
  id: string
  idempotencyKey: string
  status: 'received' | 'ready' | 'shipped' | 'denied'
  trackingNumber: string | null
  reason: string | null
}

export interface OrderSubmission {
  patient: { reference: string; firstName: string; lastName: string; birthDate: string }
  items: { rxNumber: string; name: string; quantity: number }[]
  fulfilment: { type: 'pickup'; storeCode: string } | { type: 'mail'; storeCode: string; address: string }
}

/** Thrown when the pharmacy could not be reached or failed (timeout, refused connection, 5xx): worth trying again. */
export class PharmacyUnavailableError extends Error {}

/** Thrown when the pharmacy refused the order (a 4xx): trying again would get the same answer. */
export class PharmacyRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`The pharmacy refused the order (${status})`)
  }
}

/** What we record when the pharmacy refuses an order without saying why (members read it in their language). */
export const noReasonGiven = 'The pharmacy did not give a reason'

/** Pharmacies' reasons are shown to members: printable text only, bounded. */
function cleanReason(value: unknown): string {
  const text = typeof value === 'string' ? value.replace(/[^\P{C}]+/gu, ' ').trim() : ''
  return (text || noReasonGiven).slice(0, 200)
}

/** The pharmacy system's JSON API over HTTP; every call gives up after `timeoutMs`. */
export class PharmacyClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  /** Places an order; the same key always means the same order, so a retry never makes a second one. */
  async submitOrder(idempotencyKey: string, order: OrderSubmission): Promise<PharmacyOrder> {
    const response = await this.call('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(order),
    })
    return (await response.json()) as PharmacyOrder
  }

  async getOrder(id: string): Promise<PharmacyOrder | undefined> {
    try {
      const response = await this.call(`/orders/${encodeURIComponent(id)}`, { method: 'GET' })
      return (await response.json()) as PharmacyOrder
    } catch (error) {
      if (error instanceof PharmacyRejectedError && error.status === 404) return undefined
      throw error
    }
  }

  private async call(path: string, init: RequestInit): Promise<Response> {
    let response: Response
    try {
      response = await fetch(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (error) {
      const why = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'could not be reached'
      throw new PharmacyUnavailableError(`The pharmacy ${why}`, { cause: error })
    }
    if (response.ok) return response
    const body = (await response.json().catch(() => ({}))) as { error?: unknown }
    // A timeout or a throttle from the pharmacy passes; any other 4xx is its answer to this order.
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new PharmacyUnavailableError(`The pharmacy answered ${response.status}`)
    }
    throw new PharmacyRejectedError(response.status, cleanReason(body.error))
  }
}
