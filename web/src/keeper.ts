// The keeper's index through the app's server (web/server.mjs --keeper proxies its API's
// read-only paths; without a keeper the server answers JSON null).

/** A borrower as the keeper's index values it (`/api/at-risk`). */
export interface KeeperStanding {
  account: string;
  health_factor_wad: string;
}

/** A liquidation as the keeper's index records it (`/api/liquidations`; amounts in token units). */
export interface KeeperLiquidation {
  block: number;
  borrower: string;
  liquidator: string;
  debt_asset: string;
  collateral_asset: string;
  repaid: string;
  collateral_seized: string;
}

/** How far the keeper has indexed (`/api/status`). */
export interface KeeperStatus {
  last_indexed_block: number | null;
}

/**
 * `path` of the keeper's API through the app's server: null when the server has no keeper
 * (it answers `null`); throws when it has one that fails, so the page says so.
 */
export async function keeperGet<T>(path: string): Promise<T | null> {
  const response = await fetch(`/carrack/keeper${path}`);
  if (!response.ok) throw new Error(`the keeper's index: ${(await response.text()).trim()}`);
  return (await response.json()) as T | null;
}
