/** As soon as a postcode is complete, say which sector it is in (and its neighbourhood, once known). */
import { parsePostcode } from '../../src-main/core/postcode.ts';

export function PostcodeFeedback({ postcode }: { postcode: string }) {
  if (postcode.trim() === '') return null;
  const parsed = parsePostcode(postcode);
  return (
    <div className="postcode-feedback" aria-live="polite">
      {parsed.ok ? (
        <span>
          Postcode sector <strong>{parsed.sector}</strong> (district {parsed.district})
        </span>
      ) : null}
    </div>
  );
}
