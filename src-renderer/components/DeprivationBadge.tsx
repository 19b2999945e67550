/** The client's neighbourhood deprivation, in plain language, always naming the data edition (and saying when the placement is derived). */
import { DEFAULT_DEPRIVATION_THRESHOLD, decileDescription, deprivationBadge, type IodEdition } from '../../src-main/core/deprivation.ts';
import { DERIVED_PLACEMENT_NOTE } from '../../src-main/core/postcode-areas.ts';
import type { ClientRecord } from '../../src-main/ipc/contract.ts';
import { shown, useCall } from '../use-call.ts';

const NO_INPUT = {};

export function DeprivationBadge({ geography }: { geography: ClientRecord['geography'] }) {
  // The organisation's "area of deprivation" threshold (Settings), decile 2 until it is known.
  const [settings] = useCall('geo.settings', NO_INPUT);
  const threshold = shown(settings)?.deprivationThreshold ?? DEFAULT_DEPRIVATION_THRESHOLD;
  if (geography.imdDecile === null) {
    return <span className="badge badge-unknown">Unknown — {geography.geoReason ?? 'no neighbourhood data'}</span>;
  }
  const badge = deprivationBadge(geography.imdDecile, threshold);
  const edition = (geography.imdEdition ?? 'IoD2019') as IodEdition;
  return (
    <span>
      {badge ? <span className="badge badge-deprived">{badge}</span> : null} {decileDescription(geography.imdDecile, edition)}
      {geography.lsoa ? ` Neighbourhood ${geography.lsoa}.` : ''}
      {geography.geoSource === 'derived' ? <span className="hint placement-note"> {DERIVED_PLACEMENT_NOTE}</span> : null}
    </span>
  );
}
