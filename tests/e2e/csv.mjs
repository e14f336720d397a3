// A small RFC 4180 parser: comma separated, fields optionally in double quotes ("" inside quotes
// is one quote), records end with \n or \r\n, a quoted field may hold commas and line breaks.
// A leading UTF-8 byte-order mark is dropped; a final line end does not start an empty record.

export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  let quoted = false; // inside a quoted field
  let fieldStarted = false; // the current record has at least one field begun
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
    fieldStarted = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new Error(`CSV: unexpected ${JSON.stringify(next)} after a closing quote at offset ${i}`);
        }
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new Error(`CSV: a quote inside an unquoted field at offset ${i}`);
      quoted = true;
      fieldStarted = true;
      i += 1;
    } else if (c === ',') {
      endField();
      fieldStarted = true;
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      endRecord();
      i += 2;
    } else if (c === '\n') {
      endRecord();
      i += 1;
    } else {
      field += c;
      fieldStarted = true;
      i += 1;
    }
  }
  if (quoted) throw new Error('CSV: the file ends inside a quoted field');
  if (fieldStarted || field !== '' || record.length > 0) endRecord();
  return records;
}

/** Parses CSV with a header row into { header, rows: [{column: value}] }, checking row widths. */
export function parseCsvTable(text) {
  const [header, ...data] = parseCsv(text);
  if (!header) throw new Error('CSV: empty file');
  const rows = data.map((r, n) => {
    if (r.length !== header.length) {
      throw new Error(`CSV: record ${n + 2} has ${r.length} fields, the header has ${header.length}`);
    }
    return Object.fromEntries(header.map((h, k) => [h, r[k]]));
  });
  return { header, rows };
}
