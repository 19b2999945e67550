import { useEffect, useState } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { call } from '../api.ts';

export function AboutScreen() {
  const [info, setInfo] = useState<CallOutput<'app.info'> | null>(null);
  const [geo, setGeo] = useState<CallOutput<'geo.status'> | null>(null);
  const [office, setOffice] = useState<CallOutput<'office.connection'> | null>(null);
  useEffect(() => {
    void call('office.connection', {}).then((r) => r.ok && setOffice(r.value));
    void call('app.info', {}).then((r) => r.ok && setInfo(r.value));
    void call('geo.status', {}).then((r) => r.ok && setGeo(r.value));
  }, []);
  return (
    <section>
      <h1 tabIndex={-1}>About NeedMap</h1>
      {info ? (
        <dl className="details">
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Running as</dt>
          <dd>
            {office?.mode === 'client'
              ? `Connected to the office server at ${office.server?.address ?? '?'}`
              : info.host === 'electron'
                ? 'Desktop app'
                : 'Browser mode (this computer only)'}
          </dd>
          {office?.mode === 'server' ? (
            <>
              <dt>Office server</dt>
              <dd>Sharing with this office at {office.server?.address}</dd>
            </>
          ) : null}
          <dt>Database</dt>
          <dd className="wrap">
            {info.databaseFile}
            {office?.mode === 'client' ? ' (on the office server; this PC keeps none)' : ''}
          </dd>
          <dt>Issue taxonomy</dt>
          <dd>version {info.taxonomyVersion}</dd>
        </dl>
      ) : null}
      <h2>Data sources and licences</h2>
      <p>
        Every postcode in England and Wales is placed in its neighbourhood (LSOA) from ONS data. Where an official ONS lookup row is held it is used; elsewhere
        the postcode is placed from its centre point, which agrees with the official lookup for about 99 in 100 postcodes (the rest sit near a boundary and may
        fall in the neighbouring area). Residents per postcode sector are ONS mid-2020 estimates per neighbourhood, shared among sectors by their postcodes.
      </p>
      {geo?.sources.length ? (
        <table className="data-table">
          <caption className="visually-hidden">Reference data sources</caption>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Publisher</th>
              <th scope="col">Released</th>
              <th scope="col">Rows</th>
              <th scope="col">Licence</th>
            </tr>
          </thead>
          <tbody>
            {geo.sources.map((s) => (
              <tr key={s.id}>
                <td>{s.title}</td>
                <td>{s.publisher}</td>
                <td>{s.released}</td>
                <td className="num">{s.rows.toLocaleString('en-GB')}</td>
                <td>{s.licence}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ul>
        <li>Contains public sector information licensed under the Open Government Licence v3.0.</li>
        <li>
          Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database right 2021.
          Contains Royal Mail data © Royal Mail copyright and database right 2021. Contains GeoPlace data © Local Government Information House Limited copyright
          and database right 2021.
        </li>
        <li>
          Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database right 2025.
          Contains Royal Mail data © Royal Mail copyright and database right 2025. Contains GeoPlace data © Local Government Information House Limited copyright
          and database right 2025. (NSPL May 2025 postcode coordinates.)
        </li>
        <li>
          Contains National Statistics data © Crown copyright and database right 2011–2022; contains OS data © Crown copyright (LSOA boundaries, the LSOA lookup
          and the population estimates).
        </li>
        <li>English Indices of Deprivation 2019 and 2025, Ministry of Housing, Communities &amp; Local Government.</li>
        <li>Postcode lookup: London Borough of Lewisham open data.</li>
        <li>
          The issue taxonomy references the Supporting Families Outcome Framework, the Public Health Outcomes Framework and the Adult Social Care Outcomes
          Framework (Crown copyright, Open Government Licence v3.0).
        </li>
      </ul>
    </section>
  );
}
