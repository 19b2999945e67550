/**
 * As soon as a postcode is complete, show its sector, neighbourhood, local authority and
 * deprivation decile (with the edition it comes from) — looked up offline in the reference data —
 * or exactly why the deprivation is unknown. A decile placed from the postcode's centre point
 * (the derived national file) says so.
 */
import { useEffect, useState } from 'react';
import { decileDescription, type IodEdition } from '../../src-main/core/deprivation.ts';
import { DERIVED_PLACEMENT_NOTE } from '../../src-main/core/postcode-areas.ts';
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
    <div className="postcode-feedback" aria-live="polite" data-testid="postcode-feedback">
      <div>
        Postcode sector <strong>{parsed.sector}</strong> (district {parsed.district})
        {found?.neighbourhood ? (
          <>
            {' '}
            · neighbourhood {found.neighbourhood.name ?? found.neighbourhood.lsoa} ({found.neighbourhood.lsoa})
          </>
        ) : null}
        {found?.localAuthority ? (
          <>
            {' '}
            · local authority <strong>{found.localAuthority.name}</strong>
          </>
        ) : null}
      </div>
      {deprivation ? (
        <div>
          {deprivation.badge ? <span className="badge badge-deprived">{deprivation.badge}</span> : null}{' '}
          <span>{decileDescription(deprivation.imdDecile, deprivation.edition as IodEdition)}</span>
          {found?.source === 'derived' ? <div className="hint placement-note">{DERIVED_PLACEMENT_NOTE}</div> : null}
        </div>
      ) : found ? (
        <div>
          <span className="badge badge-unknown">Deprivation unknown: {found.reason}</span>
        </div>
      ) : null}
    </div>
  );
}
