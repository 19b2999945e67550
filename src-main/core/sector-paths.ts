/**
 * Turns one postcode area's sector outlines (TopoJSON in longitude/latitude, as built by
 * src-main/reference/build-sector-geometry.ts) into SVG path data for the map: projected onto a
 * plane true to scale at the area's middle latitude (equirectangular; x east, y south, as SVG
 * draws), in whole units of PATH_UNIT_METRES. Rings are written "M x y l dx dy … z" (relative
 * steps keep the strings short) and drawn with fill-rule evenodd, so holes need no winding rule.
 */
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';

export const PATH_UNIT_METRES = 10;
const METRES_PER_DEGREE = (Math.PI / 180) * 6_371_000;

export interface SectorPath {
  sector: string;
  /** SVG path data in the area's plane; use fill-rule evenodd. */
  d: string;
  /** [minX, minY, maxX, maxY] in the same units. */
  bbox: [number, number, number, number];
  postcodes: number;
  /** Vertices drawn (after dropping the ones rounding merged). */
  vertices: number;
}

export interface AreaPaths {
  /** The plane's centre, in degrees. */
  origin: { lat: number; long: number };
  sectors: SectorPath[];
}

export function sectorPaths(topology: Topology): AreaPaths {
  const [x0, y0, x1, y1] = topology.bbox ?? [0, 0, 0, 0];
  const origin = { long: (x0 + x1) / 2, lat: (y0 + y1) / 2 };
  const kx = (METRES_PER_DEGREE * Math.cos((origin.lat * Math.PI) / 180)) / PATH_UNIT_METRES;
  const ky = METRES_PER_DEGREE / PATH_UNIT_METRES;
  const collection = feature(topology, topology.objects.sectors as GeometryCollection<{ postcodes: number }>);
  const sectors: SectorPath[] = [];
  for (const f of collection.features) {
    const geometry = f.geometry;
    const polygons = geometry.type === 'MultiPolygon' ? geometry.coordinates : geometry.type === 'Polygon' ? [geometry.coordinates] : [];
    const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    let d = '';
    let vertices = 0;
    for (const ring of polygons.flat()) {
      const points: [number, number][] = [];
      for (const [long, lat] of ring) {
        const p: [number, number] = [Math.round((long! - origin.long) * kx), Math.round(-(lat! - origin.lat) * ky)];
        const last = points[points.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) points.push(p);
      }
      if (points.length > 1 && points[0]![0] === points[points.length - 1]![0] && points[0]![1] === points[points.length - 1]![1]) points.pop();
      if (points.length < 3) continue;
      for (const [x, y] of points) {
        if (x < bbox[0]) bbox[0] = x;
        if (y < bbox[1]) bbox[1] = y;
        if (x > bbox[2]) bbox[2] = x;
        if (y > bbox[3]) bbox[3] = y;
      }
      d += ringPath(points);
      vertices += points.length;
    }
    if (d) sectors.push({ sector: String(f.id), d, bbox, postcodes: Number(f.properties?.postcodes ?? 0), vertices });
  }
  return { origin, sectors };
}

function ringPath(ring: [number, number][]): string {
  let d = `M${ring[0]![0]} ${ring[0]![1]}l`;
  for (let k = 1; k < ring.length; k++) {
    const dx = ring[k]![0] - ring[k - 1]![0];
    const dy = ring[k]![1] - ring[k - 1]![1];
    d += `${k > 1 && dx >= 0 ? ' ' : ''}${dx}${dy >= 0 ? ' ' : ''}${dy}`;
  }
  return d + 'z';
}

/** Rings of a path written by ringPath, back as absolute points (tests and the bench use it). */
export function ringsOfPath(d: string): [number, number][][] {
  return [...d.matchAll(/M(-?\d+) (-?\d+)l([^z]*)z/g)].map((m) => {
    const steps = (m[3]!.match(/-?\d+/g) ?? []).map(Number);
    const ring: [number, number][] = [[Number(m[1]), Number(m[2])]];
    for (let i = 0; i + 1 < steps.length; i += 2) {
      const [x, y] = ring[ring.length - 1]!;
      ring.push([x + steps[i]!, y + steps[i + 1]!]);
    }
    return ring;
  });
}

/** Where a longitude/latitude falls in the area's plane (same units as the paths). */
export function projectToArea(point: { lat: number; long: number }, origin: { lat: number; long: number }): [number, number] {
  const kx = (METRES_PER_DEGREE * Math.cos((origin.lat * Math.PI) / 180)) / PATH_UNIT_METRES;
  return [(point.long - origin.long) * kx, (-(point.lat - origin.lat) * METRES_PER_DEGREE) / PATH_UNIT_METRES];
}
