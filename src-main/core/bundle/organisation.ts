/** The organisation named in every bundle, as stored in settings and edited on the Settings page. */
import { z } from 'zod';

export const OrganisationSetting = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
      message: 'The organisation id is 1–64 letters, digits, dots, dashes or underscores (e.g. a charity number).',
    }),
  name: z
    .string()
    .trim()
    .min(1, { message: 'Enter the organisation name.' })
    .max(200, { message: 'The organisation name is too long (200 characters at most).' }),
});
export type OrganisationSetting = z.infer<typeof OrganisationSetting>;
