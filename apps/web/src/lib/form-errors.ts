// Turns a failed tRPC call into messages per form field (from `data.issues` for validation
// errors and `data.field` for domain errors) plus a message for the form as a whole.
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

interface ErrorData {
  field?: string | null;
  issues?: Array<{ field: string; message: string }> | null;
}

export function formErrors(error: unknown, knownFields: readonly string[]): FormErrors {
  const fields: Record<string, string> = {};
  if (!error) return { fields, form: null };
  const data = (error as { data?: ErrorData | null }).data ?? {};
  const message = error instanceof Error ? error.message : 'Something went wrong. Try again.';
  if (data.issues?.length) {
    for (const issue of data.issues) {
      if (knownFields.includes(issue.field) && !fields[issue.field])
        fields[issue.field] = issue.message;
    }
    const unplaced = data.issues.find((i) => !knownFields.includes(i.field));
    return { fields, form: unplaced ? unplaced.message : null };
  }
  if (data.field && knownFields.includes(data.field)) {
    fields[data.field] = message;
    return { fields, form: null };
  }
  return { fields, form: message };
}

/** A text value of a submitted form ('' when missing or a file). */
export function formText(data: FormData, name: string): string {
  const v = data.get(name);
  return typeof v === 'string' ? v : '';
}
