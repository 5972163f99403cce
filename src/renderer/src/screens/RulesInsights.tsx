/** Insights' "what the rules did" (#17): approvals and flags by rules, and the waiting they saved. */
import { useT } from '../i18n/index.ts';
import { formatDuration } from '../lib/format.ts';
import { useQuery } from '../lib/useQuery.ts';

const DAYS = 30;

export function RulesInsights() {
  const { t, locale } = useT();
  const q = useQuery('rules.summary', { days: DAYS }, ['rules', 'activity', 'intents']);
  const s = q.data;
  if (!s) return null;
  const minutes = (m: number) => formatDuration(m * 60_000, locale);
  return (
    <section className="card" aria-labelledby="ins-rules">
      <h2 id="ins-rules" className="h2">
        {t('rules.insights.title')} <span className="muted small">· {t('rules.insights.period', { n: s.days })}</span>
      </h2>
      {s.approved === 0 && s.flagged === 0 ? (
        <p className="muted">{t('rules.insights.none')}</p>
      ) : (
        <ul className="plain-list">
          <li>{t('rules.insights.approved', { n: s.approved })}</li>
          <li>{t('rules.insights.flagged', { n: s.flagged })}</li>
          {s.minutesGained !== null && <li>{t('rules.insights.gained', { time: minutes(s.minutesGained) })}</li>}
          {s.humanMedianMinutes !== null && s.ruleMedianMinutes !== null && (
            <li className="muted small">{t('rules.insights.medians', { human: minutes(s.humanMedianMinutes), rule: minutes(s.ruleMedianMinutes) })}</li>
          )}
        </ul>
      )}
    </section>
  );
}
