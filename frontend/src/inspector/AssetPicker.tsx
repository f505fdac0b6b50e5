// Under a URL field (Say/Play's audio, hold music, …): pick one of the account's deployed assets
// and the field gets its URL. Shown only when there is an asset to pick.
import { assetOptions, useFunctionCatalog } from "./functionCatalog";

export function AssetPicker({ name, onPick }: { name: string; onPick(url: string): void }) {
  const { services } = useFunctionCatalog();
  const options = services ? assetOptions(services) : [];
  if (options.length === 0) return null;
  return (
    <select
      className="asset-picker"
      data-testid={`pick-asset-${name}`}
      aria-label="Use an asset's URL"
      value=""
      onChange={(e) => e.target.value && onPick(e.target.value)}
    >
      <option value="">Use an asset…</option>
      {options.map((o) => (
        <option key={o.url} value={o.url}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
