/** One validation problem as sent to callers in `BAD_REQUEST.data.issues`. */
export interface InputIssue {
  /** Path into the input, e.g. `['items', 0, 'name']`; empty for the root. */
  path: (string | number)[];
  message: string;
}

/** A Standard Schema issue (zod 4 implements the spec), typed structurally to avoid a dependency. */
export interface SchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Turns Standard Schema issues (zod 4 implements the spec) into serialisable `{ path, message }`. */
export function toInputIssues(issues: readonly SchemaIssue[]): InputIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => {
      const key = typeof segment === 'object' ? segment.key : segment;
      return typeof key === 'number' ? key : String(key);
    }),
    message: issue.message,
  }));
}
