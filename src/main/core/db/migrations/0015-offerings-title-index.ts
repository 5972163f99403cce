// Migration 0015_offerings_title_index. Once shipped, never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // The Catalogue asks for its offerings a page at a time, by title (catalogue/offerings-page.ts):
  // without an index each page sorted every offering, ~150 ms for a page near the end of 20k (#16).
  name: '0015_offerings_title_index',
  up(db) {
    db.exec('CREATE INDEX offerings_title ON offerings (title, id)');
  },
};
