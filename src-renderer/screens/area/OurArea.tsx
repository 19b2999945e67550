/**
 * "Our area": limit the area picture to one or more local authorities, chosen from the reference
 * data's lookup and kept in the area database; and the residents per sector that rates per 1,000
 * are worked out from (with the population year, stated wherever a rate is shown).
 */
import { useState, type FormEvent } from 'react';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { call } from '../../api.ts';
import { Field } from '../../components/Field.tsx';
import { shown } from '../../use-call.ts';
import { AreaError, useAreaCall } from './common.tsx';

export type OurArea = CallOutput<'area.ourArea'>;

const NO_INPUT = {};

/** The residents of the given sectors and the population year; empty until the call answers. */
export function useSectorResidents(sectors: string[]): { residents: Map<string, number | null>; year: string | null } {
  const [state] = useAreaCall('geo.sectorPopulation', { sectors });
  const population = shown(state);
  return { residents: new Map((population?.sectors ?? []).map((s) => [s.sector, s.residents])), year: population?.year ?? null };
}

export function OurAreaPanel({ ourArea, onChanged }: { ourArea: OurArea; onChanged: () => void }) {
  const [authoritiesState] = useAreaCall('geo.localAuthorities', NO_INPUT);
  const all = shown(authoritiesState)?.authorities ?? [];
  const [editing, setEditing] = useState(false);
  const [chosen, setChosen] = useState<string[]>(ourArea.authorities.map((a) => a.code));
  const [adding, setAdding] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const nameOf = (code: string) => all.find((a) => a.code === code)?.name ?? ourArea.authorities.find((a) => a.code === code)?.name ?? code;

  async function save(codes: string[]) {
    const r = await call('area.setOurArea', { codes });
    if (!r.ok) return setMessage(r.error.message);
    setMessage(null);
    setEditing(false);
    onChanged();
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void save(chosen);
  }

  const limited = ourArea.authorities.length > 0;
  return (
    <section className="our-area" aria-labelledby="our-area-heading" data-testid="our-area">
      <h2 id="our-area-heading">Our area</h2>
      <p>
        {limited ? (
          <>
            Limited to <strong>{ourArea.authorities.map((a) => a.name).join(', ')}</strong>: {ourArea.sectors.length.toLocaleString('en-GB')} postcode sectors.
            The sector figures below count only these; district and area-wide figures cover everything imported.
          </>
        ) : (
          'The whole area every imported bundle covers. Choose one or more local authorities to limit the sector figures to them.'
        )}
      </p>
      <p className="hint">{ourArea.rule}</p>
      <AreaError message={message} />
      {editing ? (
        <form onSubmit={submit} noValidate>
          <div className="row">
            <Field label="Add a local authority" hint="2022 local authorities of England and Wales, with their residents.">
              {(p) => (
                <select {...p} value={adding} onChange={(e) => setAdding(e.target.value)}>
                  <option value="">Choose…</option>
                  {all
                    .filter((a) => !chosen.includes(a.code))
                    .map((a) => (
                      <option key={a.code} value={a.code}>
                        {a.name} ({a.code}
                        {a.residents ? `, ${a.residents.toLocaleString('en-GB')} residents` : ''})
                      </option>
                    ))}
                </select>
              )}
            </Field>
            <button
              type="button"
              disabled={!adding}
              onClick={() => {
                setChosen([...chosen, adding]);
                setAdding('');
              }}
            >
              Add
            </button>
          </div>
          {chosen.length ? (
            <ul className="chosen-authorities" aria-label="Chosen local authorities">
              {chosen.map((code) => (
                <li key={code}>
                  {nameOf(code)} ({code}){' '}
                  <button type="button" className="link-button" onClick={() => setChosen(chosen.filter((c) => c !== code))}>
                    Remove<span className="visually-hidden"> {nameOf(code)}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">None chosen: the whole area.</p>
          )}
          <div className="actions">
            <button type="submit" className="primary">
              Save our area
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              setChosen(ourArea.authorities.map((a) => a.code));
              setEditing(true);
            }}
          >
            {limited ? 'Change our area' : 'Choose our area'}
          </button>
          {limited ? (
            <button type="button" onClick={() => void save([])}>
              Show the whole area
            </button>
          ) : null}
        </div>
      )}
    </section>
  );
}
