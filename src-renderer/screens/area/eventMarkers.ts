/**
 * A tiny chart.js plugin: local events as dashed vertical lines on a month-by-month line chart,
 * each with a numbered flag (the number matches the events list and the table's Events column,
 * so the marker is never the only way to read it). The line sits at the event's day within its month.
 */
import type { Chart, Plugin } from 'chart.js';

export interface EventMarker {
  /** 1, 2, 3… as listed beside the chart. */
  number: number;
  date: string;
  title: string;
}

export const EVENT_MARKER_COLOUR = '#7a1f0b';

/** Where an event falls on a category axis of YYYY-MM months: index of its month plus the fraction of the month gone. */
export function eventPosition(months: readonly string[], date: string): number | null {
  const index = months.indexOf(date.slice(0, 7));
  if (index < 0) return null;
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return index + (day - 1) / daysInMonth;
}

export function eventMarkersPlugin(months: readonly string[], markers: readonly EventMarker[]): Plugin<'line'> {
  return {
    id: 'needmapEventMarkers',
    afterDatasetsDraw(chart: Chart<'line'>) {
      const x = chart.scales.x;
      const { top, bottom } = chart.chartArea;
      if (!x) return;
      const ctx = chart.ctx;
      for (const marker of markers) {
        const position = eventPosition(months, marker.date);
        if (position === null) continue;
        const whole = Math.floor(position);
        const left = x.getPixelForValue(whole);
        const right = whole + 1 < months.length ? x.getPixelForValue(whole + 1) : left + (left - x.getPixelForValue(Math.max(0, whole - 1)));
        const px = left + (right - left) * (position - whole);
        ctx.save();
        ctx.strokeStyle = EVENT_MARKER_COLOUR;
        ctx.lineWidth = 2;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(px, top + 18);
        ctx.lineTo(px, bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        // The numbered flag at the top of the line.
        const label = String(marker.number);
        ctx.font = 'bold 12px system-ui, sans-serif';
        const width = ctx.measureText(label).width + 10;
        ctx.fillStyle = EVENT_MARKER_COLOUR;
        ctx.fillRect(px - width / 2, top, width, 18);
        ctx.fillStyle = '#ffffff';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(label, px, top + 9);
        ctx.restore();
      }
    },
  };
}
