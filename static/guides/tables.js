// Sortable tables on guide pages (templates/guides/blocks/table.html). Each column heading
// becomes a button: the first press sorts by that column (A to Z and small to large; a
// yes / partly / no column puts yes first), the second reverses, the third restores the
// table's own order. Numbers sort as numbers, text in the reader's language with digits
// compared as numbers ("999" before "1000"), and empty cells always last; rows that tie
// keep their order. Without JavaScript the table is a plain table; row links (#) work
// either way, because each row's id is in the HTML.

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const NUMERIC = new Set(["number", "support"]);
// The direction of a column's first press; aria-sort names what is shown.
const FIRST = { support: "descending" };

function cellText(cell) {
  let text = "";
  for (const node of cell.childNodes) {
    if (node.nodeType === Node.ELEMENT_NODE && node.matches(".row-link")) continue;
    text += node.textContent;
  }
  return text.replace(/\s+/g, " ").trim();
}

function sortKey(cell, type) {
  if (!cell) return null;
  if (NUMERIC.has(type)) {
    const value = Number.parseFloat(cell.dataset.sort ?? "");
    return Number.isFinite(value) ? value : null;
  }
  return cellText(cell) || null;
}

function compare(a, b, type) {
  return NUMERIC.has(type) ? a - b : collator.compare(a, b);
}

function makeSortable(table) {
  const body = table.tBodies[0];
  const headerRow = table.tHead?.rows[0];
  if (!body || !headerRow || body.rows.length < 2 || "sortReady" in table.dataset) return;
  const original = [...body.rows];
  const keys = new Map(); // column index -> sort key of each row, in the original order
  const headers = [...headerRow.cells];
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  (table.closest(".table-scroll") ?? table).after(status);
  let sorted = { column: -1, direction: null };

  function keysOf(column, type) {
    if (!keys.has(column)) keys.set(column, original.map((row) => sortKey(row.cells[column], type)));
    return keys.get(column);
  }

  function show(column, direction) {
    const header = headers[column];
    const type = header.dataset.type || "text";
    let rows = original;
    if (direction) {
      const sign = direction === "ascending" ? 1 : -1;
      const columnKeys = keysOf(column, type);
      rows = original
        .map((row, position) => ({ row, position, key: columnKeys[position] }))
        .sort((a, b) => {
          if (a.key === null || b.key === null) {
            return (a.key === null) - (b.key === null) || a.position - b.position;
          }
          return sign * compare(a.key, b.key, type) || a.position - b.position;
        })
        .map((entry) => entry.row);
    }
    body.append(...rows);
    headers.forEach((cell) => cell.removeAttribute("aria-sort"));
    if (direction) header.setAttribute("aria-sort", direction);
    table.dataset.sorted = direction ? String(column) : "";
    sorted = { column: direction ? column : -1, direction };
    const name = cellText(header);
    status.textContent = direction
      ? `Sorted by ${name}, ${direction}.`
      : "Rows in their original order.";
  }

  headers.forEach((header, column) => {
    if (header.tagName !== "TH") return;
    const type = header.dataset.type || "text";
    const first = FIRST[type] ?? "ascending";
    const second = first === "ascending" ? "descending" : "ascending";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.append(...header.childNodes);
    const icon = document.createElement("span");
    icon.className = "sort-button__icon";
    icon.setAttribute("aria-hidden", "true");
    button.append(icon);
    header.append(button);
    button.addEventListener("click", () => {
      let next = first;
      if (sorted.column === column) next = sorted.direction === first ? second : null;
      show(column, next);
    });
  });
  table.dataset.sortReady = "";
}

document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
