/**
 * The life of one presented issue: identified → in progress / referred → improved / resolved /
 * closed unresolved. Each change is dated so impact can be measured later.
 */
export const ISSUE_STATUS_LABELS = {
  identified: 'Identified',
  in_progress: 'In progress',
  referred: 'Referred',
  improved: 'Improved',
  resolved: 'Resolved',
  closed_unresolved: 'Closed unresolved',
} as const;

export type IssueStatus = keyof typeof ISSUE_STATUS_LABELS;
export const ISSUE_STATUS_VALUES = Object.keys(ISSUE_STATUS_LABELS) as [IssueStatus, ...IssueStatus[]];

/** A status change must not predate the previous one (it would rewrite history). */
export function statusChangeError(previous: { status: IssueStatus; changedOn: string }, next: { status: IssueStatus; changedOn: string }): string | null {
  if (next.changedOn < previous.changedOn) {
    return `The date cannot be before the last change (${previous.changedOn}).`;
  }
  if (next.status === previous.status) {
    return `The issue is already "${ISSUE_STATUS_LABELS[next.status]}".`;
  }
  return null;
}
