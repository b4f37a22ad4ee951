import { randomBytes } from 'node:crypto'
import http, { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Clock } from '../platform/clock'
import type { PharmacyOrder } from '../prescriptions/pharmacy-client'
import { signatureHeader, signWebhook, timestampHeader } from '../prescriptions/webhook-signature'

export interface SimulatedOrder extends PharmacyOrder {
  fulfilment: 'pickup' | 'mail'
  itemCount: number
  /** Real time (ms since the epoch) the order was made, for the benchmark's latency. */
  receivedAtMs: number
}

export interface PharmacySimulatorOptions {
  port?: number
  /** Where status changes are posted; can be set later, once the web app listens. */
  webhookUrl?: string
  webhookSecret: string
  /** The clock webhook timestamps are signed with: the portal's, so tests on a fixed clock verify. */
  clock: Clock
  /** Moves each new order to ready (pickup) or shipped (mail) after this many seconds; 0 leaves it. */
  autoReadySeconds?: number
  log?: (message: string) => void
}

export interface PharmacySimulator {
  url: string
  port: number
  orders(): SimulatedOrder[]
  setWebhookUrl(url: string): void
  close(): Promise<void>
}

interface Controls {
  failNext: number
  hangNext: number
  hangAfterCreating: boolean
  hangMs: number
  rejectNext: number
  rejectStatus: number
  rejectReason: string
  dropWebhooks: number
}

const freshControls = (): Controls => ({
  failNext: 0,
  hangNext: 0,
  hangAfterCreating: true,
  hangMs: 60_000,
  rejectNext: 0,
  rejectStatus: 422,
  rejectReason: 'The pharmacy could not fill this order',
  dropWebhooks: 0,
})

const maxBody = 64 * 1024

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBody) return undefined
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return {}
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const count = (value: unknown, fallback = 1) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, 10_000) : fallback

/**
 * A stand-in for the pharmacy system, for development, tests and the benchmark: a JSON API that places
 * orders once per `Idempotency-Key`, reads them back, and tells the portal of status changes by a signed
 * webhook. Test controls (under /control) make it fail, hang, refuse or move orders on, so the worker's
 * retries are tried against a real socket. It keeps everything in memory and listens on loopback only.
 */
export async function startPharmacySimulator(options: PharmacySimulatorOptions): Promise<PharmacySimulator> {
  const orders = new Map<string, SimulatedOrder>()
  const byKey = new Map<string, string>()
  const timers = new Set<NodeJS.Timeout>()
  let controls = freshControls()
  let webhookUrl = options.webhookUrl
  let sequence = 0
  const log = options.log ?? (() => undefined)

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, ms)
    timers.add(timer)
  }

  const notify = async (order: SimulatedOrder) => {
    if (!webhookUrl) return
    if (controls.dropWebhooks > 0) {
      controls.dropWebhooks -= 1
      log(`webhook for ${order.id} dropped`)
      return
    }
    const body = JSON.stringify({ event: 'order.updated', order: publicOrder(order) })
    const timestamp = Math.floor(options.clock().getTime() / 1000)
    try {
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [timestampHeader]: String(timestamp),
          [signatureHeader]: signWebhook(options.webhookSecret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(5_000),
      })
      log(`webhook for ${order.id}: ${response.status}`)
    } catch (error) {
      log(`webhook for ${order.id} failed: ${String(error)}`)
    }
  }

  const advance = (
    order: SimulatedOrder,
    change: { status: PharmacyOrder['status']; tracking?: string; reason?: string },
    tell: boolean,
  ) => {
    order.status = change.status
    if (change.status === 'shipped')
      order.trackingNumber = change.tracking ?? `1Z${randomBytes(6).toString('hex').toUpperCase()}`
    if (change.status === 'denied') order.reason = change.reason ?? 'The pharmacy could not fill this order'
    if (tell) void notify(order)
  }

  const createOrder = (key: string, body: Record<string, unknown>): SimulatedOrder => {
    sequence += 1
    const fulfilment = (body.fulfilment as { type?: unknown } | undefined)?.type === 'mail' ? 'mail' : 'pickup'
    const order: SimulatedOrder = {
      id: `PH-${String(sequence).padStart(7, '0')}`,
      idempotencyKey: key,
      status: 'received',
      trackingNumber: null,
      reason: null,
      fulfilment,
      itemCount: (body.items as unknown[]).length,
      receivedAtMs: Date.now(),
    }
    orders.set(order.id, order)
    byKey.set(key, order.id)
    if (options.autoReadySeconds) {
      later(options.autoReadySeconds * 1000, () =>
        advance(order, { status: fulfilment === 'mail' ? 'shipped' : 'ready' }, true),
      )
    }
    return order
  }

  const placeOrder = async (req: IncomingMessage, res: ServerResponse) => {
    const key = req.headers['idempotency-key']
    if (typeof key !== 'string' || !/^[\w.:-]{1,100}$/.test(key)) {
      return send(res, 400, { error: 'An Idempotency-Key header is required' })
    }
    const body = await readJson(req)
    if (!body || !Array.isArray(body.items) || body.items.length === 0 || body.items.length > 50) {
      return send(res, 400, { error: 'The order must list between 1 and 50 medicines' })
    }
    if (controls.failNext > 0) {
      controls.failNext -= 1
      return send(res, 500, { error: 'Simulated pharmacy failure' })
    }
    if (controls.rejectNext > 0) {
      controls.rejectNext -= 1
      return send(res, controls.rejectStatus, { error: controls.rejectReason })
    }
    const existing = byKey.get(key)
    if (existing) return send(res, 200, publicOrder(orders.get(existing)!))
    if (controls.hangNext > 0) {
      controls.hangNext -= 1
      // A pharmacy that took the order and then went quiet: the caller cannot tell whether it was placed.
      if (controls.hangAfterCreating) createOrder(key, body)
      return later(controls.hangMs, () => res.destroy())
    }
    send(res, 201, publicOrder(createOrder(key, body)))
  }

  const control = async (action: string, req: IncomingMessage, res: ServerResponse) => {
    const body = (await readJson(req)) ?? {}
    switch (action) {
      case 'fail-next':
        controls.failNext = count(body.count)
        return send(res, 200, { failNext: controls.failNext })
      case 'hang-next':
        controls.hangNext = count(body.count)
        controls.hangAfterCreating = body.afterCreating !== false
        controls.hangMs = count(body.ms, 60_000)
        return send(res, 200, { hangNext: controls.hangNext })
      case 'reject-next': {
        const status = typeof body.status === 'number' && body.status >= 400 && body.status < 500 ? body.status : 422
        controls.rejectNext = count(body.count)
        controls.rejectStatus = status
        controls.rejectReason = typeof body.reason === 'string' ? body.reason.slice(0, 300) : controls.rejectReason
        return send(res, 200, { rejectNext: controls.rejectNext })
      }
      case 'drop-webhooks':
        controls.dropWebhooks = count(body.count)
        return send(res, 200, { dropWebhooks: controls.dropWebhooks })
      case 'reset':
        controls = freshControls()
        orders.clear()
        byKey.clear()
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        return send(res, 200, { reset: true })
      default:
        return send(res, 404, { error: 'No such control' })
    }
  }

  const advanceOrder = async (id: string, req: IncomingMessage, res: ServerResponse) => {
    const order = orders.get(id)
    if (!order) return send(res, 404, { error: 'No such order' })
    const body = (await readJson(req)) ?? {}
    const status = body.status
    if (status !== 'ready' && status !== 'shipped' && status !== 'denied') {
      return send(res, 400, { error: 'status must be ready, shipped or denied' })
    }
    const change = {
      status,
      tracking: typeof body.trackingNumber === 'string' ? body.trackingNumber.slice(0, 40) : undefined,
      reason: typeof body.reason === 'string' ? body.reason.slice(0, 200) : undefined,
    } as const
    const tell = body.notify !== false
    const afterMs = count(body.afterMs, 0)
    if (afterMs > 0) later(afterMs, () => advance(order, change, tell))
    else advance(order, change, tell)
    send(res, 202, publicOrder(order))
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://pharmacy')
    const parts = url.pathname.split('/').filter(Boolean)
    const route = `${req.method} /${parts.join('/')}`
    const handle = async () => {
      if (route === 'POST /orders') return placeOrder(req, res)
      if (req.method === 'GET' && parts[0] === 'orders' && parts.length === 2) {
        const order = orders.get(parts[1])
        return order ? send(res, 200, publicOrder(order)) : send(res, 404, { error: 'No such order' })
      }
      if (route === 'GET /control/orders') return send(res, 200, [...orders.values()])
      if (req.method === 'POST' && parts[0] === 'control' && parts[1] === 'orders' && parts[3] === 'advance') {
        return advanceOrder(parts[2], req, res)
      }
      if (req.method === 'POST' && parts[0] === 'control' && parts.length === 2) return control(parts[1], req, res)
      send(res, 404, { error: 'Not found' })
    }
    handle().catch((error: unknown) => send(res, 500, { error: String(error) }))
  })
  server.listen(options.port ?? 0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    orders: () => [...orders.values()],
    setWebhookUrl(url) {
      webhookUrl = url
    },
    async close() {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function publicOrder(order: SimulatedOrder): PharmacyOrder {
  return {
    id: order.id,
    idempotencyKey: order.idempotencyKey,
    status: order.status,
    trackingNumber: order.trackingNumber,
    reason: order.reason,
  }
}
