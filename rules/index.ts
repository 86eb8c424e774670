import type { Rule } from '../src/model/rule.js';

// The rule registry. Placeholder created by the report/CLI work so `allRules` can be imported
// before the rules land; the rules' author owns this file and adds each rules/<id>.ts here.
export const allRules: Rule[] = [];
