/** English strings of the Reviews screen (reviews the platform told about through `review.created`). */
import type { EnglishEntries } from './types.ts';

export const reviewsEn = {
  'reviews.title': 'Reviews',
  'reviews.sub': 'What customers wrote, as the platform told the console.',
  'reviews.latest': 'Latest reviews',
  'reviews.offering': 'Offering',
  'reviews.allOfferings': 'All offerings',
  'reviews.rating': 'Rating',
  'reviews.review': 'Review',
  'reviews.date': 'Date',
  'reviews.stars': { one: '{n} star out of 5', other: '{n} stars out of 5' },
  'reviews.noText': 'No text',
  'reviews.caption': { one: '{n} review, newest first', other: '{n} reviews, newest first' },
  'reviews.shown': { one: 'Showing {shown} of {n} review.', other: 'Showing {shown} of {n} reviews.' },
  'reviews.empty': 'No reviews have arrived yet. They appear here as customers write them.',
  'reviews.byOffering': 'Rating by offering',
  'reviews.aggregateNote': 'Averages and counts as Orkestr keeps them: they include reviews written before this console was set up.',
  'reviews.noneYet': 'No offering has a review yet.',
  'reviews.count': { one: '{n} review', other: '{n} reviews' },
} as const satisfies EnglishEntries;
