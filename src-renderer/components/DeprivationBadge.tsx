/** The client's neighbourhood deprivation, in plain language, always naming the data edition. */
import type { ClientRecord } from '../../src-main/ipc/contract.ts';

export function DeprivationBadge({ geography }: { geography: ClientRecord['geography'] }) {
  if (geography.imdDecile === null) {
    return <span className="badge badge-unknown">Unknown — {geography.geoReason ?? 'no neighbourhood data'}</span>;
  }
  const decile = geography.imdDecile;
  const deprived = decile <= 2;
  const text =
    decile === 1
      ? 'Lives in one of the 10% most deprived neighbourhoods in England'
      : decile === 2
        ? 'Lives in one of the 20% most deprived neighbourhoods in England'
        : `Neighbourhood in decile ${decile} of 10 (1 = most deprived)`;
  return (
    <span className={deprived ? 'badge badge-deprived' : 'badge'}>
      {text}
      {geography.imdEdition ? ` · ${geography.imdEdition}` : ''}
      {geography.lsoa ? ` · ${geography.lsoa}` : ''}
    </span>
  );
}
