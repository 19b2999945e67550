/**
 * As soon as a postcode is complete, show its sector, neighbourhood and deprivation decile —
 * looked up offline in the reference data — or exactly why the deprivation is unknown.
 */
import { useEffect, useState } from 'react';
import { decileDescription } from '../../src-main/core/deprivation.ts';
import { parsePostcode } from '../../src-main/core/postcode.ts';
import type { GeoLookupResult } from '../../src-main/ipc/contract/geo.ts';
import { call } from '../api.ts';

export function PostcodeFeedback({ postcode }: { postcode: string }) {
  const parsed = postcode.trim() === '' ? null : parsePostcode(postcode);
  const normalised = parsed?.ok ? parsed.postcode : null;
  const [found, setFound] = useState<GeoLookupResult | null>(null);

  useEffect(() => {
    setFound(null);
    if (!normalised) return;
    let current = true;
    void call('geo.lookup', { postcode: normalised }).then((r) => {
      if (current && r.ok) setFound(r.value);
    });
    return () => {
      current = false;
    };
  }, [normalised]);

  if (!parsed?.ok) return null;
  const deprivation = found?.deprivation;
  return (
    <div className="postcode-feedback" aria-live="polite">
      <div>
        Postcode sector <strong>{parsed.sector}</strong> (district {parsed.district})
        {found?.neighbourhood ? (
          <>
            {' '}
            · neighbourhood {found.neighbourhood.name ?? found.neighbourhood.lsoa} ({found.neighbourhood.lsoa})
          </>
        ) : null}
      </div>
      {deprivation ? (
        <div>
          {deprivation.badge ? <span className="badge badge-deprived">{deprivation.badge}</span> : null}{' '}
          <span>{decileDescription(deprivation.imdDecile, deprivation.edition as 'IoD2019' | 'IoD2025')}</span>
        </div>
      ) : found ? (
        <div>
          <span className="badge badge-unknown">Deprivation unknown: {found.reason}</span>
        </div>
      ) : null}
    </div>
  );
}
