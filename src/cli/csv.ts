/** One record of a CSV file: its fields and the line it starts on (for messages). */
export interface CsvRecord { line: number; fields: string[]; unterminated?: boolean }

/**
 * RFC 4180 CSV: quoted fields may hold commas, newlines and `""`; CRLF or LF; a leading BOM (Excel)
 * is dropped; blank lines are skipped. Each record keeps the line it starts on, for messages.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [], field = "", quoted = false, inQuotes = false, line = 1, start = 1;
  const end = () => {
    fields.push(field);
    if (fields.length > 1 || quoted || field.trim() !== "") records.push({ line: start, fields });
    fields = []; field = ""; quoted = false;
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') inQuotes = false;
      else { if (c === "\n") line++; field += c; }
    } else if (c === '"' && field === "") { inQuotes = true; quoted = true; }
    else if (c === ",") { fields.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      end(); line++; start = line;
    } else field += c;
  }
  if (inQuotes) records.push({ line: start, fields: [...fields, field], unterminated: true });
  else if (field !== "" || fields.length > 0 || quoted) end();
  return records;
}

