// The explorer's filters: kept in the page's URL (a link shows the same list) and turned into
// the query of GET /api/console/executions.

export type StatusFilter = "" | "active" | "ended" | "stuck";

export interface Filters {
  status: StatusFilter;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive (the API's `until` is exclusive: the next day is sent). */
  to: string;
  contact: string;
  flow: string;
  revision: string;
  widget: string;
  /** Minutes idle after which an active, waiting execution counts as stuck. */
  stuckAfter: string;
}

export const EMPTY: Filters = {
  status: "", from: "", to: "", contact: "", flow: "", revision: "", widget: "", stuckAfter: "60",
};

const KEYS: (keyof Filters)[] = ["status", "from", "to", "contact", "flow", "revision", "widget", "stuckAfter"];
const STATUSES: StatusFilter[] = ["", "active", "ended", "stuck"];

export function filtersFromSearch(search: string): Filters {
  const q = new URLSearchParams(search);
  const f: Filters = { ...EMPTY };
  for (const k of KEYS) {
    const v = q.get(k);
    if (v !== null) (f as unknown as Record<string, string>)[k] = v;
  }
  if (!STATUSES.includes(f.status)) f.status = "";
  return f;
}

/** The page's own search string: only what differs from the defaults. */
export function searchFromFilters(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of KEYS) if (f[k] && f[k] !== EMPTY[k]) q.set(k, f[k]);
  const s = q.toString();
  return s ? `?${s}` : "";
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The API query for the filters (and a page token to continue from). */
export function apiQuery(f: Filters, pageToken: string | null = null, pageSize = 50): URLSearchParams {
  const q = new URLSearchParams();
  if (f.status === "stuck") {
    q.set("status", "active");
    q.set("stuck", "true");
  } else if (f.status) {
    q.set("status", f.status);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.from)) q.set("since", f.from);
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.to)) q.set("until", nextDay(f.to));
  if (f.contact.trim()) q.set("contact", f.contact.trim());
  if (f.flow) {
    q.set("flow", f.flow);
    if (/^\d+$/.test(f.revision.trim())) q.set("revision", f.revision.trim());
  }
  if (f.widget.trim()) q.set("widget", f.widget.trim());
  const minutes = Number(f.stuckAfter);
  if (Number.isFinite(minutes) && minutes > 0) q.set("stuck_after", String(Math.round(minutes * 60)));
  q.set("page_size", String(pageSize));
  if (pageToken) q.set("page_token", pageToken);
  return q;
}

/** Toggle one sid in a selection (a new set: React sees the change). */
export function toggled(selection: ReadonlySet<string>, sid: string): Set<string> {
  const next = new Set(selection);
  if (next.has(sid)) next.delete(sid);
  else next.add(sid);
  return next;
}

/** The sids of the rows still active: only those can be ended. */
export function endable(rows: { sid: string; status: string }[], selection: ReadonlySet<string>): string[] {
  return rows.filter((r) => selection.has(r.sid) && r.status === "active").map((r) => r.sid);
}

/** Split a list into chunks the bulk endpoints take (at most 200 sids a request). */
export function chunks<T>(items: T[], size = 200): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
