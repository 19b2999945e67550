/** The client's neighbourhood deprivation, in plain language, always naming the data edition. */
import { decileDescription, deprivationBadge, type IodEdition } from '../../src-main/core/deprivation.ts';
import type { ClientRecord } from '../../src-main/ipc/contract.ts';

export function DeprivationBadge({ geography }: { geography: ClientRecord['geography'] }) {
  if (geography.imdDecile === null) {
    return <span className="badge badge-unknown">Unknown — {geography.geoReason ?? 'no neighbourhood data'}</span>;
  }
  const badge = deprivationBadge(geography.imdDecile);
  const edition = (geography.imdEdition ?? 'IoD2019') as IodEdition;
  return (
    <span>
      {badge ? <span className="badge badge-deprived">{badge}</span> : null}{' '}
      {decileDescription(geography.imdDecile, edition)}
      {geography.lsoa ? ` Neighbourhood ${geography.lsoa}.` : ''}
    </span>
  );
}
