/** chart.js with only the pieces the reports use registered, so the bundle stays small. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type Plugin,
} from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, LogarithmicScale, Legend, Tooltip);
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
Chart.defaults.font.size = 13;
Chart.defaults.color = '#1b1f24';
Chart.defaults.datasets.bar.maxBarThickness = 26;

/** Paint a white background so an exported PNG is readable in any viewer (the canvas is transparent). */
export const whiteBackground: Plugin = {
  id: 'needmapWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export { Chart };

/**
 * Colours with at least 3:1 contrast on white (WCAG non-text contrast) and distinguishable
 * from each other by lightness as well as hue; dashed lines mark "previous year".
 */
export const SERIES_COLOURS = {
  people: '#0b5d7a',
  presentations: '#b35900',
  previous: '#5f6b7a',
  expected: '#1b1f24',
} as const;

/** Sequential palette (light → dark blue) for heat tables and the map; the text colour to use on each. */
export const SEQUENTIAL = ['#c6dbef', '#85bcdb', '#4a98c9', '#1f6aa8', '#08306b'] as const;
export const SEQUENTIAL_TEXT = ['#1b1f24', '#1b1f24', '#1b1f24', '#ffffff', '#ffffff'] as const;

/** Which of the palette's classes a value falls in, by equal steps from 0 to max. */
export function sequentialClass(value: number, max: number): number {
  if (max <= 0 || value <= 0) return 0;
  return Math.min(SEQUENTIAL.length - 1, Math.floor((value / max) * SEQUENTIAL.length));
}

/** A heat-table cell's background and text colours; none for zero or less, which stays a plain cell. */
export function heatCellStyle(value: number, max: number): { background: string; color: string } | undefined {
  if (value <= 0) return undefined;
  const level = sequentialClass(value, max);
  return { background: SEQUENTIAL[level]!, color: SEQUENTIAL_TEXT[level]! };
}

/** Splits a long axis label into lines (chart.js draws an array as several lines) instead of letting it run off the canvas. */
export function wrapLabel(text: string, width = 24): string | string[] {
  if (text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
