// "Use it from your code": tabs (arrow keys move between them), copy buttons, and the
// snippets follow the URL in the tester's URL field.

import { wireCopyButtons } from "../js/copy.js";

const tablist = document.querySelector(".snippets [role=tablist]");
const tabs = [...tablist.querySelectorAll("[role=tab]")];
const codes = [...document.querySelectorAll(".snippet code[data-url]")];

function select(tab, focus) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
}

tablist.addEventListener("click", (event) => {
  const tab = event.target.closest("[role=tab]");
  if (tab) select(tab, false);
});

tablist.addEventListener("keydown", (event) => {
  const index = tabs.indexOf(document.activeElement);
  if (index < 0) return;
  const next = {
    ArrowRight: (index + 1) % tabs.length,
    ArrowLeft: (index - 1 + tabs.length) % tabs.length,
    Home: 0,
    End: tabs.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  select(tabs[next], true);
});

wireCopyButtons();

const urlField = document.getElementById("url");
urlField.addEventListener("input", () => {
  const url = urlField.value.trim();
  if (!/^wss?:\/\/[^\s"'`\\]+$/.test(url)) return;
  for (const code of codes) {
    code.textContent = code.textContent.split(code.dataset.url).join(url);
    code.dataset.url = url;
  }
});
