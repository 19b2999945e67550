/**
 * Distinct people across organisations from match keys. Each row is one person record from one
 * organisation in one postcode district × quarter, with one keyed hash per identifier type
 * ("" where not recorded). Two rows are the same person when ANY of their non-empty keys agree
 * (same type, same value); agreement is transitive, so rows are merged with union-find.
 */

export interface MatchKeyRow {
  organisationId: string;
  district: string;
  quarter: string;
  /** [keyType, keyValue] pairs; empty values are ignored. */
  keys: readonly (readonly [string, string])[];
}

export interface DistinctPeople {
  district: string;
  quarter: string;
  /** Person records summed over organisations (what a plain sum counts). */
  records: number;
  /** People after merging records whose match keys agree. */
  distinctPeople: number;
  /** Distinct people seen by more than one organisation. */
  sharedPeople: number;
  organisations: number;
}

class UnionFind {
  private readonly parent: number[];
  private readonly rank: number[];
  constructor(size: number) {
    this.parent = Array.from({ length: size }, (_, i) => i);
    this.rank = new Array<number>(size).fill(0);
  }
  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root]!;
    // Path compression keeps later finds near O(1).
    while (this.parent[x] !== root) {
      const next = this.parent[x]!;
      this.parent[x] = root;
      x = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.rank[ra]! < this.rank[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    if (this.rank[ra] === this.rank[rb]) this.rank[ra]!++;
  }
}

/** Distinct and shared people per district × quarter, sorted by district then quarter. */
export function distinctPeople(rows: readonly MatchKeyRow[]): DistinctPeople[] {
  const groups = new Map<string, MatchKeyRow[]>();
  for (const row of rows) {
    const id = `${row.district}\u0000${row.quarter}`;
    (groups.get(id) ?? groups.set(id, []).get(id)!).push(row);
  }
  const out: DistinctPeople[] = [];
  for (const group of groups.values()) {
    const uf = new UnionFind(group.length);
    const firstWithKey = new Map<string, number>();
    group.forEach((row, i) => {
      for (const [type, value] of row.keys) {
        if (value === '') continue;
        const id = `${type}\u0000${value}`;
        const seen = firstWithKey.get(id);
        if (seen === undefined) firstWithKey.set(id, i);
        else uf.union(seen, i);
      }
    });
    const orgsOfPerson = new Map<number, Set<string>>();
    group.forEach((row, i) => {
      const root = uf.find(i);
      (orgsOfPerson.get(root) ?? orgsOfPerson.set(root, new Set()).get(root)!).add(row.organisationId);
    });
    let shared = 0;
    for (const orgs of orgsOfPerson.values()) if (orgs.size > 1) shared++;
    out.push({
      district: group[0]!.district,
      quarter: group[0]!.quarter,
      records: group.length,
      distinctPeople: orgsOfPerson.size,
      sharedPeople: shared,
      organisations: new Set(group.map((r) => r.organisationId)).size,
    });
  }
  return out.sort((a, b) => (a.district === b.district ? a.quarter.localeCompare(b.quarter) : a.district.localeCompare(b.district)));
}
