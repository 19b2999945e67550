/**
 * The database file is checked for damage in the background after it opens (so nobody waits for
 * it at login): while that runs this asks now and then how it went, and if the file is damaged it
 * says so on every page, with the way to restore the latest backup.
 */
import { useEffect, useState } from 'react';
import { call } from '../api.ts';

const POLL_MS = 3000;

export function IntegrityBanner() {
  const [damage, setDamage] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = () => {
      void call('auth.status', {}).then((r) => {
        if (stopped || !r.ok) return;
        const { state, message } = r.value.integrity;
        if (state === 'damaged') setDamage(message ?? 'The database file is damaged. Restore the latest backup.');
        else if (state === 'checking') timer = setTimeout(ask, POLL_MS);
      });
    };
    ask();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  if (!damage) return null;
  return (
    <div className="integrity-banner" role="alert">
      <strong>The database file is damaged.</strong> {damage} An administrator can restore a backup under{' '}
      <a href="#/protection/restore">Data protection → Restore</a>.
    </div>
  );
}
