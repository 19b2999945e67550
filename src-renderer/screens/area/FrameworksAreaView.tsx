/** The area picture's need by outcome framework (area.frameworks): every imported month, every organisation. */
import { FrameworkNeedPanels } from '../../components/FrameworkNeed.tsx';
import { CallStatus } from '../../components/CallStatus.tsx';
import { shown } from '../../use-call.ts';
import { useAreaCall } from './common.tsx';

export function FrameworksAreaView() {
  const [state] = useAreaCall('area.frameworks', {});
  const need = shown(state);
  return (
    <>
      <p className="hint">
        Every month imported, from every organisation’s active bundles (published figures only; suppressed ones are left out). People cannot be added across
        organisations’ cells, so only presentations are shown.
      </p>
      <CallStatus state={state} what="need by outcome framework" />
      {need ? <FrameworkNeedPanels need={need} slugPrefix="area-frameworks" /> : null}
    </>
  );
}
