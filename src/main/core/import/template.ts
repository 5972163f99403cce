/** The downloadable template: a CSV with every column and two example offerings, plus column help in English and Spanish. */
import { csvLine } from './report.ts';
import { importFields, type ImportField } from './types.ts';

export interface ColumnHelp {
  field: ImportField;
  required: 'always' | 'new offering' | 'availability row' | 'no';
  en: string;
  es: string;
  example: string;
}

export const columnHelp: readonly ColumnHelp[] = [
  { field: 'slug', required: 'always', example: 'example-loft-template', en: 'Key of the offering: lowercase letters, digits and hyphens. Rows with the same slug are one offering.', es: 'Clave de la oferta: minúsculas, dígitos y guiones. Las filas con el mismo slug son una sola oferta.' },
  { field: 'title', required: 'new offering', example: 'Soho Loft', en: 'Name shown to customers (1–200 characters).', es: 'Nombre que ven los clientes (1–200 caracteres).' },
  { field: 'product_type', required: 'new offering', example: 'space', en: 'space, class, service, vehicle, equipment or taxi.', es: 'space, class, service, vehicle, equipment o taxi (también espacio, clase, servicio, vehículo, equipo).' },
  { field: 'status', required: 'no', example: 'DRAFT', en: 'DRAFT (default), PUBLISHED or ARCHIVED.', es: 'DRAFT (por defecto), PUBLISHED o ARCHIVED (también borrador, publicado, archivado).' },
  { field: 'pricing_model', required: 'no', example: 'HOURLY', en: 'HOURLY, DAILY, ONE_TIME (default; "one time" works too) or SUBSCRIPTION.', es: 'HOURLY, DAILY, ONE_TIME (por defecto; también "pago único") o SUBSCRIPTION.' },
  { field: 'base_price', required: 'new offering', example: '120.00', en: 'Price in major units (120.50). Decimal comma is fine (120,50; 1.234,50).', es: 'Precio en unidades (120.50). Se admite coma decimal (120,50; 1.234,50).' },
  { field: 'currency', required: 'new offering', example: 'USD', en: 'ISO-4217 code: USD, EUR, MXN…', es: 'Código ISO-4217: USD, EUR, MXN…' },
  { field: 'tax_bps', required: 'no', example: '825', en: 'Tax in basis points (825 = 8.25 %); "8.25%" is read as 825.', es: 'Impuesto en puntos básicos (825 = 8,25 %); "8,25%" se lee como 825.' },
  { field: 'description', required: 'no', example: 'Bright loft with a view', en: 'Free text, up to 20,000 characters; quote it if it has commas or line breaks.', es: 'Texto libre, hasta 20.000 caracteres; entre comillas si lleva comas o saltos de línea.' },
  { field: 'cancellation_policy', required: 'no', example: 'MODERATE', en: 'FLEXIBLE, MODERATE (default) or STRICT.', es: 'FLEXIBLE, MODERATE (por defecto) o STRICT.' },
  { field: 'categories', required: 'no', example: 'lofts|downtown', en: 'Categories separated by |.', es: 'Categorías separadas por |.' },
  { field: 'weekday', required: 'availability row', example: 'Mon', en: 'Day of a weekly availability rule: Mon, Monday, lunes, or 1–7 (1 = Monday).', es: 'Día de la regla semanal: Mon, Monday, lunes, o 1–7 (1 = lunes).' },
  { field: 'start_time', required: 'availability row', example: '09:00', en: 'Opening time: 09:00, 9:00, 9am, 5:30 PM.', es: 'Hora de inicio: 09:00, 9:00, 9am, 5:30 PM.' },
  { field: 'end_time', required: 'availability row', example: '17:00', en: 'Closing time, after the start, same day.', es: 'Hora de fin, posterior al inicio, el mismo día.' },
  { field: 'slot_minutes', required: 'no', example: '60', en: 'Length of a bookable slot in minutes (default 60).', es: 'Duración de cada franja en minutos (por defecto 60).' },
  { field: 'capacity', required: 'no', example: '2', en: 'Bookings allowed per slot (default 1).', es: 'Reservas permitidas por franja (por defecto 1).' },
  { field: 'valid_from', required: 'no', example: '2026-01-01', en: 'First date the rule applies (YYYY-MM-DD), optional.', es: 'Primera fecha de la regla (AAAA-MM-DD), opcional.' },
  { field: 'valid_until', required: 'no', example: '', en: 'Last date the rule applies (YYYY-MM-DD), optional.', es: 'Última fecha de la regla (AAAA-MM-DD), opcional.' },
];

/**
 * The template CSV (UTF-8 with BOM so spreadsheets detect the encoding, CRLF line ends). Its example
 * slugs end in `-template` so importing it as shipped can never change an offering of a real
 * catalogue, and both examples are DRAFT (nothing goes on sale by accident).
 */
export function templateCsv(): string {
  const rows: string[][] = [
    [...importFields],
    ['example-loft-template', 'Example Loft (template row)', 'space', 'DRAFT', 'HOURLY', '120.00', 'USD', '825', 'Bright loft, 80 m², seats 20', 'MODERATE', 'lofts|downtown', 'Mon', '09:00', '17:00', '60', '2', '2026-01-01', ''],
    ['example-loft-template', '', '', '', '', '', '', '', '', '', '', 'Tue', '09:00', '17:00', '60', '2', '2026-01-01', ''],
    ['example-yoga-template', 'Example Yoga Class (template row)', 'class', 'DRAFT', 'ONE_TIME', '18.50', 'USD', '0', '', 'FLEXIBLE', 'wellness', 'Sat', '8:00 AM', '9:30 AM', '90', '12', '', ''],
  ];
  return '\ufeff' + rows.map((r) => csvLine(r)).join('');
}

/** Column descriptions as a CSV (field, required, English, Spanish, example). */
export function columnHelpCsv(): string {
  return '\ufeff' + csvLine(['column', 'required', 'description', 'descripción', 'example']) + columnHelp.map((c) => csvLine([c.field, c.required, c.en, c.es, c.example])).join('');
}
