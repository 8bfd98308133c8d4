// Names beside ids: "Ada Lovelace (E1001)" where the imported identity records name the id, the
// bare id otherwise; pure, so the tables, their search and their exports agree.

/** An identity as shown: its recorded name with the id in brackets, or the id alone. */
export function withName(id: string | null | undefined, names: Readonly<Record<string, string>>): string {
  if (!id) return '';
  const name = names[id];
  return name && name !== id ? `${name} (${id})` : id;
}

/** The ids among `ids` whose names are not known or asked for yet, once each. */
export function missingNames(ids: Iterable<string | null | undefined>, known: Readonly<Record<string, string>>, asked: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const id of ids) if (id && !(id in known) && !asked.has(id)) out.add(id);
  return [...out].sort();
}
