/**
 * The replica's migrations, in order, listed statically (bundlers break folder scanning). One file a
 * migration with its SQL written out; a shipped one is never edited (its text is hashed by
 * test/db/migrations.test.ts): change the schema by appending a new file here.
 */
import type { Migration } from './migration.ts';
import { migration as m0001 } from './0001-replica.ts';
import { migration as m0002 } from './0002-relay-rejections.ts';
import { migration as m0003 } from './0003-booking-list-indexes.ts';
import { migration as m0004 } from './0004-import-tables.ts';
import { migration as m0005 } from './0005-calendar-feeds.ts';
import { migration as m0006 } from './0006-activity-message.ts';
import { migration as m0007 } from './0007-front-desk-search-and-slots.ts';
import { migration as m0008 } from './0008-approval-rules.ts';
import { migration as m0009 } from './0009-outbox-claims.ts';
import { migration as m0010 } from './0010-inbox-received-index.ts';
import { migration as m0011 } from './0011-import-staging.ts';
import { migration as m0012 } from './0012-outbox-held-index.ts';
import { migration as m0013 } from './0013-search-index-watermark.ts';
import { migration as m0014 } from './0014-outbox-mutation-counter.ts';
import { migration as m0015 } from './0015-offerings-title-index.ts';

export type { Migration } from './migration.ts';

export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014, m0015];
