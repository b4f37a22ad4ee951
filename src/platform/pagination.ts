export interface PageRequest {
  page: number
  pageSize: number
}

export interface Paged<T> {
  items: T[]
  page: number
  pageCount: number
  total: number
  pageSize: number
}

/** The page number from a query string; anything that is not a sensible page number is the first page. */
export function requestedPage(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return 1
  return Math.max(1, Number(raw))
}

/**
 * Loads one page: counts first, so a page past the end shows the last page rather than an empty one.
 * `load` gets the offset and limit to apply.
 */
export async function loadPage<T>(
  request: PageRequest,
  count: () => Promise<number>,
  load: (offset: number, limit: number) => Promise<T[]>,
): Promise<Paged<T>> {
  const total = await count()
  const pageCount = Math.max(1, Math.ceil(total / request.pageSize))
  const page = Math.min(Math.max(1, request.page), pageCount)
  const items = total === 0 ? [] : await load((page - 1) * request.pageSize, request.pageSize)
  return { items, page, pageCount, total, pageSize: request.pageSize }
}

/** Links for the pagination partial, keeping the page's other query values (a filter, for example). */
export function pageLinks(
  paged: Pick<Paged<unknown>, 'page' | 'pageCount'>,
  path: string,
  query: Record<string, string | undefined> = {},
): { previous?: string; next?: string; page: number; pageCount: number } {
  const href = (page: number) => {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value)
    if (page > 1) params.set('page', String(page))
    const search = params.toString()
    return search ? `${path}?${search}` : path
  }
  return {
    page: paged.page,
    pageCount: paged.pageCount,
    previous: paged.page > 1 ? href(paged.page - 1) : undefined,
    next: paged.page < paged.pageCount ? href(paged.page + 1) : undefined,
  }
}

/** One page of a list already in memory, with the same rules as `loadPage`. */
export function pageOf<T>(items: T[], request: PageRequest): Paged<T> {
  const pageCount = Math.max(1, Math.ceil(items.length / request.pageSize))
  const page = Math.min(Math.max(1, request.page), pageCount)
  const start = (page - 1) * request.pageSize
  return {
    items: items.slice(start, start + request.pageSize),
    page,
    pageCount,
    total: items.length,
    pageSize: request.pageSize,
  }
}
