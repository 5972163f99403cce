/** Runs the booking actions asked for outside a screen (the palette), with the same checks and dialogs as the queue. */
import { useEffect, useRef } from 'react';
import { useFrontDesk } from '../store/frontdesk.ts';
import { useBookingActions } from './bookingActions.tsx';

export function GlobalActions() {
  const request = useFrontDesk((s) => s.request);
  const actions = useBookingActions();
  const done = useRef(0);
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    if (!request || request.seq === done.current) return;
    done.current = request.seq;
    const a = ref.current;
    if (request.kind === 'approve') void a.approve([request.booking]);
    else if (request.kind === 'decline') a.decline([request.booking]);
    else if (request.kind === 'cancel') a.cancel(request.booking);
    else a.reschedule(request.booking);
  }, [request]);
  return <>{actions.dialogs}</>;
}
