/**
 * The shape of the dictionaries. An entry is a text, or — for a message that counts something —
 * one text per CLDR plural category of the language, chosen by `Intl.PluralRules` for the count
 * `n` (English: one / other; Spanish: one / many / other, "many" being "1.000.000 de reservas").
 * i18n.test.ts checks every plural entry against the categories Intl reports for its language.
 */
export interface EnglishPlural {
  readonly one: string;
  readonly other: string;
}
export interface SpanishPlural {
  readonly one: string;
  readonly many: string;
  readonly other: string;
}
/** Either language's forms (what code that reads both dictionaries may assume). */
export type PluralForms = EnglishPlural & { readonly many?: string };

export type EnglishEntries = Readonly<Record<string, string | EnglishPlural>>;

/** The keys of a dictionary whose entries are plural forms. */
export type PluralKeys<D> = { [K in keyof D]: D[K] extends string ? never : K }[keyof D];
/** The keys of a dictionary whose entries are plain text. */
export type TextKeys<D> = Exclude<keyof D, PluralKeys<D>>;

/** A translation of the source dictionary D: text where D has text, the forms P where D counts. */
export type Translation<D, P extends PluralForms = PluralForms> = { readonly [K in TextKeys<D>]: string } & { readonly [K in PluralKeys<D>]: P };
