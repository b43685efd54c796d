// Code blocks on guide pages: a copy button on each, and language tabs for groups.
// Without JavaScript every sample is shown, each labelled; nothing depends on this file.

const STORAGE_KEY = "guides:code-tab";

function addCopyButton(figure) {
  const bar = figure.querySelector(".code__bar");
  const code = figure.querySelector("pre code");
  if (!bar || !code) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "code__copy";
  const name = figure.querySelector(".code__name")?.textContent.trim() || "code";
  button.setAttribute("aria-label", `Copy ${name}`);
  button.textContent = "Copy";
  const status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  let timer;
  button.addEventListener("click", async () => {
    let copied = true;
    try {
      await navigator.clipboard.writeText(code.textContent);
    } catch {
      copied = false;
    }
    button.dataset.state = copied ? "copied" : "failed";
    button.textContent = copied ? "Copied" : "Copy failed";
    status.textContent = copied ? `${name} copied to the clipboard` : "Copying is blocked; select the code instead";
    clearTimeout(timer);
    timer = setTimeout(() => {
      delete button.dataset.state;
      button.textContent = "Copy";
      status.textContent = "";
    }, 2000);
  });
  // The labels share one box that wraps inside itself, so the button keeps its place at
  // the end of the header's first line however long the labels are (390 px phones).
  const labels = document.createElement("span");
  labels.className = "code__labels";
  labels.append(...bar.childNodes);
  bar.append(labels, button, status);
}

let groupCount = 0;

function setUpTabs(group, onSelect) {
  const figures = [...group.querySelectorAll(":scope > .code[data-tab-label]")];
  if (figures.length < 2) return null;
  // Each sample goes in a panel of its own (a figure may not take the tabpanel role).
  const panels = figures.map((figure) => {
    const panel = document.createElement("div");
    panel.className = "code-tabs__panel";
    panel.dataset.tabLabel = figure.dataset.tabLabel;
    figure.before(panel);
    panel.append(figure);
    return panel;
  });
  groupCount += 1;
  const list = document.createElement("div");
  list.className = "code-tabs__list";
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-label", "Code sample language");
  const tabs = panels.map((panel, index) => {
    const id = `code-tabs-${groupCount}-${index}`;
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "code-tabs__tab";
    tab.id = `${id}-tab`;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", `${id}-panel`);
    tab.textContent = panel.dataset.tabLabel;
    panel.id = `${id}-panel`;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
    list.append(tab);
    return tab;
  });

  function select(index, { focus = false, remember = false } = {}) {
    tabs.forEach((tab, i) => {
      const selected = i === index;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      panels[i].hidden = !selected;
    });
    if (focus) tabs[index].focus();
    if (remember) onSelect(panels[index].dataset.tabLabel);
  }

  list.addEventListener("click", (event) => {
    const index = tabs.indexOf(event.target.closest("[role=tab]"));
    if (index >= 0) select(index, { remember: true });
  });
  list.addEventListener("keydown", (event) => {
    const current = tabs.indexOf(document.activeElement);
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 };
    if (current < 0 || !(event.key in moves)) return;
    event.preventDefault();
    select((moves[event.key] + tabs.length) % tabs.length, { focus: true, remember: true });
  });

  group.prepend(list);
  group.dataset.ready = "";
  return {
    showLabel(label) {
      const index = panels.findIndex((panel) => panel.dataset.tabLabel === label);
      select(index >= 0 ? index : 0);
    },
  };
}

function rememberedLabel() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

document.querySelectorAll(".code").forEach(addCopyButton);

const groups = [];
function showEverywhere(label) {
  try {
    localStorage.setItem(STORAGE_KEY, label);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  groups.forEach((group) => group.showLabel(label));
}
document.querySelectorAll("[data-code-tabs]").forEach((element) => {
  const group = setUpTabs(element, showEverywhere);
  if (group) groups.push(group);
});
const preferred = rememberedLabel();
groups.forEach((group) => group.showLabel(preferred));
