// The account's Functions, as the canvas's pickers offer them: GET /api/console/functions/catalog
// (serverless/catalog.py) lists services → environments → the functions and assets each
// environment's live build serves, with their URLs. Fetched once per page and shared.
import { useEffect, useState } from "react";

export interface Served { sid: string; path: string; visibility: "public" | "protected"; url: string }
export interface CatalogEnvironment {
  sid: string;
  unique_name: string;
  domain_name: string;
  build_sid: string | null;
  functions: Served[];
  assets: Served[];
}
export interface CatalogService { sid: string; unique_name: string; friendly_name: string; environments: CatalogEnvironment[] }

/** What a Run Function widget holds once a function is picked. */
export interface FunctionChoice { service_sid: string; environment_sid: string; function_sid: string; url: string }

export function findService(services: CatalogService[], sid: unknown): CatalogService | undefined {
  return services.find((s) => s.sid === sid);
}

export function findEnvironment(service: CatalogService | undefined, sid: unknown): CatalogEnvironment | undefined {
  return service?.environments.find((e) => e.sid === sid);
}

/** The properties a Run Function widget gets for a function of an environment of a service. */
export function chooseFunction(
  services: CatalogService[], serviceSid: string, environmentSid: string, functionSid: string,
): FunctionChoice | null {
  const env = findEnvironment(findService(services, serviceSid), environmentSid);
  const fn = env?.functions.find((f) => f.sid === functionSid);
  if (!env || !fn) return null;
  return { service_sid: serviceSid, environment_sid: env.sid, function_sid: fn.sid, url: fn.url };
}

/** The environment a service's picker starts on: the one already chosen, else the only one that
 * serves something (production, usually), else the first. */
export function defaultEnvironment(service: CatalogService, chosen: unknown): CatalogEnvironment | undefined {
  return (
    findEnvironment(service, chosen) ??
    service.environments.find((e) => e.functions.length > 0) ??
    service.environments[0]
  );
}

/** Every asset an audio or URL field could point at, labelled service/environment/path. */
export function assetOptions(services: CatalogService[]): { label: string; url: string }[] {
  const out: { label: string; url: string }[] = [];
  for (const s of services)
    for (const e of s.environments)
      for (const a of e.assets) out.push({ label: `${s.unique_name} · ${e.unique_name} · ${a.path}`, url: a.url });
  return out;
}

/** The property names of URL fields that may take an asset's URL (audio to play, hold music…). */
export function takesAsset(name: string): boolean {
  return name === "play" || /(^|_)url$|Url$/.test(name);
}

let shared: Promise<CatalogService[]> | null = null;

export function loadCatalog(refresh = false): Promise<CatalogService[]> {
  if (!shared || refresh) {
    shared = fetch("/api/console/functions/catalog", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((res) => (res.ok ? (res.json() as Promise<{ services: CatalogService[] }>) : { services: [] }))
      .then((data) => data.services ?? [])
      .catch(() => []);
  }
  return shared;
}

/** The catalog (null while loading); `refresh()` reads it again (after a deploy elsewhere). */
export function useFunctionCatalog(): { services: CatalogService[] | null; refresh(): void } {
  const [services, setServices] = useState<CatalogService[] | null>(null);
  useEffect(() => {
    let live = true;
    void loadCatalog().then((s) => live && setServices(s));
    return () => {
      live = false;
    };
  }, []);
  return {
    services,
    refresh: () => void loadCatalog(true).then(setServices),
  };
}
