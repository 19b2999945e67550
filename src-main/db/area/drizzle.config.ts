import { defineConfig } from 'drizzle-kit';

/** The area-picture database: its own schema and migrations, separate from the case database. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src-main/db/area/schema.ts',
  out: './drizzle/area',
});
