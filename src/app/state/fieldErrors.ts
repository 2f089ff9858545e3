/**
 * Puts each validation issue next to the form field it concerns: the field whose JSON path is
 * the issue's path or its longest prefix (an issue about "projections[0].stp" shows at the STP
 * model), else the first field inside the object it concerns. Issues about parts of the scenario the form does not show stay in a list at the top,
 * with their path, exactly as the CLI prints them.
 */
import type { ScenarioIssue } from '../../model/validate';
import type { FieldGroup } from './formFields';

export interface PlacedIssues {
  /** Messages by field id. */
  byField: Map<string, string[]>;
  /** Issues no field shows, formatted with their path. */
  general: ScenarioIssue[];
}

function isPrefix(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

export function placeIssues(issues: readonly ScenarioIssue[], groups: readonly FieldGroup[]): PlacedIssues {
  const ids = groups.flatMap((g) => g.fields.map((f) => f.id));
  const byField = new Map<string, string[]>();
  const general: ScenarioIssue[] = [];
  for (const issue of issues) {
    let best: string | null = null;
    for (const id of ids) if (isPrefix(id, issue.path) && (best === null || id.length > best.length)) best = id;
    // An issue about a whole object (e.g. "projections[0].stp"): show it at the object's first field.
    if (best === null) best = ids.find((id) => isPrefix(issue.path, id)) ?? null;
    if (best === null) {
      general.push(issue);
      continue;
    }
    const rest = issue.path.slice(best.length);
    const message = rest ? `${rest.replace(/^\./, '')}: ${issue.message}` : issue.message;
    byField.set(best, [...(byField.get(best) ?? []), message]);
  }
  return { byField, general };
}
