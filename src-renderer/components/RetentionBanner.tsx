/**
 * Retention at start-up: when an admin logs in and clients are due for anonymisation under the
 * retention policy, say so on every page (except Data protection itself) with a link to the
 * preview there. Nothing is anonymised until the admin confirms that preview.
 */
import { useEffect, useState } from 'react';
import { call } from '../api.ts';
import { useSession } from '../auth.tsx';

export function RetentionBanner({ onProtectionPage }: { onProtectionPage: boolean }) {
  const { session } = useSession();
  const [due, setDue] = useState<{ count: number; years: number } | null>(null);

  // Checked at login and again on leaving the Data protection page (where it may just have been applied).
  useEffect(() => {
    if (session.role !== 'admin' || onProtectionPage) return;
    let current = true;
    void call('protect.retentionPreview', {}).then((r) => {
      if (current && r.ok) setDue({ count: r.value.clients.length, years: r.value.policyYears });
    });
    return () => {
      current = false;
    };
  }, [session.userId, session.role, onProtectionPage]);

  if (session.role !== 'admin' || onProtectionPage || !due || due.count === 0) return null;
  return (
    <div className="retention-banner" role="region" aria-label="Retention">
      <strong>
        {due.count.toLocaleString('en-GB')} client{due.count === 1 ? ' has' : 's have'} had no contact for {due.years} years
      </strong>{' '}
      — <a href="#/protection/retention">review and anonymise</a>
    </div>
  );
}
