/** The issue taxonomy, loaded once by the app shell (App.tsx) and read by any screen. */
import { createContext, useContext } from 'react';
import type { CallOutput } from '../src-main/ipc/contract.ts';

export type TaxonomyData = CallOutput<'taxonomy.get'>;

export const TaxonomyContext = createContext<TaxonomyData | null>(null);

export function useTaxonomy(): TaxonomyData {
  const taxonomy = useContext(TaxonomyContext);
  if (!taxonomy) throw new Error('The taxonomy is not loaded yet.');
  return taxonomy;
}
