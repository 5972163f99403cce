// Shipped migration 0006_activity_message: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // Activity keeps its summary as a code + parameters (src/shared/contract/messages.ts) next to the English
  // text, so the UI can show it in the user's language. Older rows keep NULL: the UI shows their text.
  name: '0006_activity_message',
  up(db) {
    db.exec('ALTER TABLE activity ADD COLUMN message TEXT');
  },
};
