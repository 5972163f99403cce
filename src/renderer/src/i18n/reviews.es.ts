/** Textos en español de la pantalla Reseñas. */
import type { reviewsEn } from './reviews.en.ts';
import type { SpanishPlural, Translation } from './types.ts';

export const reviewsEs: Translation<typeof reviewsEn, SpanishPlural> = {
  'reviews.title': 'Reseñas',
  'reviews.sub': 'Lo que escribieron los clientes, tal como la plataforma se lo contó a la consola.',
  'reviews.latest': 'Últimas reseñas',
  'reviews.offering': 'Oferta',
  'reviews.allOfferings': 'Todas las ofertas',
  'reviews.rating': 'Valoración',
  'reviews.review': 'Reseña',
  'reviews.date': 'Fecha',
  'reviews.stars': { one: '{n} estrella de 5', many: '{n} estrellas de 5', other: '{n} estrellas de 5' },
  'reviews.noText': 'Sin texto',
  'reviews.caption': { one: '{n} reseña, la más reciente primero', many: '{n} de reseñas, las más recientes primero', other: '{n} reseñas, las más recientes primero' },
  'reviews.shown': { one: 'Se muestran {shown} de {n} reseña.', many: 'Se muestran {shown} de {n} de reseñas.', other: 'Se muestran {shown} de {n} reseñas.' },
  'reviews.empty': 'Aún no ha llegado ninguna reseña. Aparecen aquí a medida que los clientes las escriben.',
  'reviews.byOffering': 'Valoración por oferta',
  'reviews.aggregateNote': 'Medias y recuentos tal como los guarda Orkestr: incluyen reseñas escritas antes de configurar esta consola.',
  'reviews.noneYet': 'Ninguna oferta tiene reseñas todavía.',
  'reviews.count': { one: '{n} reseña', many: '{n} de reseñas', other: '{n} reseñas' },
};
