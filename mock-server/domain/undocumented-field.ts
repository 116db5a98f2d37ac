/** A body field the docs do not define, as the UNDOCUMENTED_FIELD rule reports it. */
export interface UndocumentedField {
  /** Where it is, e.g. "flowName" or "events[].details". */
  path: string;
  /** The documented field it most likely means. */
  suggestion?: string;
  /** How the suggestion was found: a known alias, or a name close to it. */
  because?: 'alias' | 'spelling';
}

/** "callOrigen (did you mean callOrigin?)", "flowName (documented as flowDevName)", or the bare path. */
export function describeUndocumentedField(field: UndocumentedField): string {
  if (field.suggestion === undefined) return field.path;
  return field.because === 'alias'
    ? `${field.path} (documented as ${field.suggestion})`
    : `${field.path} (did you mean ${field.suggestion}?)`;
}
