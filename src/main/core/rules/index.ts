/** Approval rules (#17): the feature's entry for the core's composition root. */
export { RuleRunner, ruleApprovalKey, type RulesHost } from './runner.ts';
export { rulesHandlers, rulesSummary } from './handlers.ts';
export { previewRule } from './preview.ts';
