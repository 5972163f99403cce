import { asCoreMessage, type CoreMessage } from '../../../shared/contract/messages.ts';

/** An activity row's stored message (JSON); null for rows from before messages were kept, or unreadable ones. */
export function storedMessage(json: string | null): CoreMessage | null {
  if (!json) return null;
  try {
    return asCoreMessage(JSON.parse(json));
  } catch {
    return null;
  }
}
