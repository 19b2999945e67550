/**
 * One report figure: a chart.js chart with its table beside it (the same numbers, readable by
 * screen readers and when colours cannot be told apart), a CSV download of the table and a PNG
 * export of the chart.
 */
import { useEffect, useRef } from 'react';
import type { ChartConfiguration } from 'chart.js';
import { toCsv } from '../../../src-main/core/csv.ts';
import { downloadBlob, downloadText } from '../../download.ts';
import { Chart, whiteBackground } from './chartjs.ts';
import { DataTable, type TableData } from './DataTable.tsx';

export type ChartSpec = ChartConfiguration<'bar' | 'line'>;

interface ChartPanelProps {
  /** Used for file names and test ids: "top-issues". */
  slug: string;
  title: string;
  /** A sentence under the title: what is counted, over which period. */
  description?: string;
  chart: ChartSpec;
  table: TableData;
  /** Taller charts for long category lists. */
  height?: number;
  sortable?: boolean;
}

export function tableCsv(table: TableData): string {
  return toCsv(
    table.columns.map((c) => c.label),
    table.rows,
    { byteOrderMark: false },
  );
}

export function ChartPanel({ slug, title, description, chart, table, height = 320, sortable = false }: ChartPanelProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart | null>(null);
  const configKey = JSON.stringify([chart.type, chart.data, chart.options?.indexAxis]);

  useEffect(() => {
    if (!canvasRef.current) return;
    chartRef.current?.destroy();
    chartRef.current = new Chart(canvasRef.current, {
      ...chart,
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...chart.options },
      plugins: [...(chart.plugins ?? []), whiteBackground],
    } as ChartConfiguration);
    return () => {
      chartRef.current?.destroy();
      chartRef.current = null;
    };
    // The chart is rebuilt only when its data or type changes (configKey), not on every render.
  }, [configKey]);

  function downloadCsv() {
    downloadText(`needmap-${slug}.csv`, tableCsv(table), 'text/csv;charset=utf-8');
  }

  function savePng() {
    canvasRef.current?.toBlob((blob) => blob && downloadBlob(`needmap-${slug}.png`, blob), 'image/png');
  }

  return (
    <figure className="chart-panel" data-testid={`panel-${slug}`} aria-labelledby={`${slug}-title`}>
      <div className="chart-panel-head">
        <h2 id={`${slug}-title`}>{title}</h2>
        <div className="actions chart-actions">
          <button type="button" onClick={downloadCsv}>
            Download CSV<span className="visually-hidden"> of {title}</span>
          </button>
          <button type="button" onClick={savePng}>
            Save chart as PNG<span className="visually-hidden"> ({title})</span>
          </button>
        </div>
      </div>
      {description ? <p className="hint">{description}</p> : null}
      <div className="chart-and-table">
        <div className="chart-box" style={{ height }}>
          <canvas ref={canvasRef} role="img" aria-label={`Chart: ${title}. The same figures are in the table beside it.`} />
        </div>
        <DataTable table={table} sortable={sortable} />
      </div>
    </figure>
  );
}
